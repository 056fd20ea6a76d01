package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability end to end: the server runs as a separate process ({@code tally
 * serve}), is killed with SIGKILL while four clients are sending batches, and is
 * restarted on the same data directory. Every batch the server acknowledged
 * must still be there (re-sending it yields only duplicates), the batches that
 * were not acknowledged can simply be re-sent, and in the end the usage count
 * equals exactly the number of distinct event ids and reconciliation finds no
 * differences.
 */
class KillNineRecoveryTest {
    private static final String METER = "k9_events";
    private static final String TYPE = "k9.event";
    private static final int UNIQUE = 50_000;
    private static final int RESENDS = UNIQUE / 10;
    private static final int BATCH = 500;
    private static final int THREADS = 4;
    private static final int CUSTOMERS = 10;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<ServerProcess> processes = new ArrayList<>();

    /** A batch of events: the distinct event indexes it carries (with repeats) and its body. */
    private record Batch(int[] events, String body) {
    }

    private enum Outcome { ACKNOWLEDGED, FAILED }

    @AfterEach
    void killServers() {
        processes.forEach(ServerProcess::kill);
    }

    @Test
    @Timeout(value = 100, unit = TimeUnit.SECONDS)
    void acknowledgedEventsSurviveKillNineAndRetriesAreCountedOnce() throws Exception {
        killNineAndRecover(Map.of());
    }

    @Test
    @Timeout(value = 100, unit = TimeUnit.SECONDS)
    void acknowledgedEventsSurviveKillNineWithTheDedupIndexMostlyOnDisk() throws Exception {
        // a 64 KiB memory tier spills every ~2,900 ids: the kill and the restart find most ids in slice files
        killNineAndRecover(Map.of("TALLY_DEDUP_MEMORY_BYTES", "65536"));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void acknowledgedEventsSurviveKillNineAmidIncrementalCheckpointsAndCompactions() throws Exception {
        // a checkpoint every second, compacted after every 2 deltas, ids spilling to slices: the kill lands between
        // delta writes, in one, or in a compaction, and the restart loads the chain and replays the log after it
        killNineAndRecover(Map.of("TALLY_CHECKPOINT_INTERVAL_SECONDS", "1", "TALLY_CHECKPOINT_COMPACT_AFTER", "2",
                "TALLY_DEDUP_MEMORY_BYTES", "65536"));
    }

    private void killNineAndRecover(Map<String, String> env) throws Exception {
        Path data = dir.resolve("data");
        ServerProcess first = start(data, "server-1.log", env);
        String key = first.awaitKey(data);
        createMeter(first, key);
        List<Batch> batches = plan(Instant.now());

        // Send from four threads; SIGKILL the server once half the batches are acknowledged.
        AtomicReferenceArray<Outcome> outcomes = new AtomicReferenceArray<>(batches.size());
        AtomicInteger next = new AtomicInteger();
        AtomicInteger acknowledged = new AtomicInteger();
        CountDownLatch halfway = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        for (int t = 0; t < THREADS; t++) {
            pool.execute(() -> {
                for (int i = next.getAndIncrement(); i < batches.size(); i = next.getAndIncrement()) {
                    Optional<JsonNode> response = post(first, key, batches.get(i));
                    outcomes.set(i, response.isPresent() ? Outcome.ACKNOWLEDGED : Outcome.FAILED);
                    if (response.isPresent() && acknowledged.incrementAndGet() * 2 >= batches.size()) {
                        halfway.countDown();
                    }
                }
            });
        }
        if (!halfway.await(60, TimeUnit.SECONDS)) {
            fail("half the batches were not acknowledged within 60 s; server log:\n" + first.log());
        }
        if (env.containsKey("TALLY_CHECKPOINT_INTERVAL_SECONDS")) {
            awaitACheckpoint(first);
        }
        first.kill();
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        List<Integer> acked = new ArrayList<>();
        List<Integer> notAcked = new ArrayList<>();
        for (int i = 0; i < batches.size(); i++) {
            (outcomes.get(i) == Outcome.ACKNOWLEDGED ? acked : notAcked).add(i);
        }
        assertThat(notAcked).as("the kill happened while batches were still being sent").isNotEmpty();

        // Restart on the same data and re-send what was not acknowledged plus a sample of what was.
        ServerProcess second = start(data, "server-2.log", env);
        Random random = new Random(99);
        List<Integer> ackedSample = acked.stream().filter(i -> random.nextInt(10) == 0).toList();
        int sampleEvents = 0;
        for (int i : ackedSample) {
            JsonNode results = postWithRetries(second, key, batches.get(i)).get("results");
            for (JsonNode r : results) {
                assertThat(r.get("status").asText()).as("re-sent acknowledged event %s", r.get("id"))
                        .isEqualTo("duplicate");
                sampleEvents++;
            }
        }
        for (int i : notAcked) {
            JsonNode response = postWithRetries(second, key, batches.get(i));
            assertThat(response.get("rejected").asLong()).isZero();
            assertThat(response.get("accepted").asLong() + response.get("duplicates").asLong())
                    .isEqualTo(batches.get(i).events().length);
        }
        assertThat(sampleEvents).isPositive();

        // Exactly the distinct ids are counted, and the aggregates reconcile with the raw events.
        assertThat(countOverAllCustomers(second, key)).isEqualByComparingTo(BigDecimal.valueOf(UNIQUE));
        JsonNode report = getJson(second, key, "/v1/reconciliation?" + period());
        assertThat(report.get("differences")).as(report.toString()).isEmpty();
        if (env.containsKey("TALLY_CHECKPOINT_INTERVAL_SECONDS")) {
            assertThat(second.log()).as("the restart read the checkpoint chain").contains("loaded the checkpoint chain");
        }
        if (env.containsKey("TALLY_DEDUP_MEMORY_BYTES")) {
            // Every distinct id is remembered, part of them in slice files that survived the kill. How many are on
            // disk at this instant depends on timing: a frozen memory table is written by the spill thread and
            // moved to the disk tier by the writer's next maintenance (after more puts), so on a loaded machine up
            // to half can still be counted in memory.
            String metrics = http.send(HttpRequest.newBuilder(second.uri("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Map<String, Long> m = StorageCommand.parse(metrics);
            long onDisk = m.get("tally_dedup_window_ids{tier=\"disk\"}");
            assertThat(onDisk).as(metrics).isGreaterThan(UNIQUE / 10);
            assertThat(onDisk + m.get("tally_dedup_window_ids{tier=\"memory\"}")).as(metrics).isEqualTo(UNIQUE);
        }
    }

    /** Waits (at most 20 s) until the server has a checkpoint chain, so that the restart has one to load. */
    private void awaitACheckpoint(ServerProcess server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            String metrics = http.send(HttpRequest.newBuilder(server.uri("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (StorageCommand.parse(metrics).getOrDefault("tally_checkpoint_size_bytes", 0L) > 0) {
                return;
            }
            Thread.sleep(100);
        }
        fail("no checkpoint within 20 s; server log:\n" + server.logTail(40));
    }

    /** UNIQUE distinct events plus RESENDS exact re-sends of earlier ones, spread through the run, in batches. */
    private static List<Batch> plan(Instant now) {
        Random random = new Random(42);
        int total = UNIQUE + RESENDS;
        String[] json = new String[UNIQUE];
        List<Batch> batches = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        int unique = 0;
        for (int slot = 0; slot < total; slot++) {
            boolean resend = (long) (slot + 1) * RESENDS / total > (long) slot * RESENDS / total;
            int index;
            if (resend) {
                index = random.nextInt(unique);
            } else {
                index = unique++;
                json[index] = "{\"specversion\":\"1.0\",\"id\":\"k9-" + index + "\",\"source\":\"kill-test\",\"type\":\""
                        + TYPE + "\",\"subject\":\"customer-" + (index % CUSTOMERS) + "\",\"time\":\""
                        + now.minusMillis(random.nextInt(120_000)) + "\",\"data\":{\"n\":" + index + "}}";
            }
            current.add(index);
            if (current.size() == BATCH || slot == total - 1) {
                StringBuilder body = new StringBuilder("[");
                for (int i : current) {
                    body.append(body.length() > 1 ? "," : "").append(json[i]);
                }
                batches.add(new Batch(current.stream().mapToInt(Integer::intValue).toArray(), body.append(']').toString()));
                current = new ArrayList<>();
            }
        }
        Set<Integer> distinct = new HashSet<>();
        batches.forEach(b -> java.util.Arrays.stream(b.events()).forEach(distinct::add));
        assertThat(distinct).hasSize(UNIQUE);
        return batches;
    }

    /** Posts a batch once; the parsed response if the server acknowledged it with a 200. */
    private Optional<JsonNode> post(ServerProcess server, String key, Batch batch) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri("/v1/events"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + key)
                    .header("Content-Type", "application/cloudevents-batch+json")
                    .POST(HttpRequest.BodyPublishers.ofString(batch.body())).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return Optional.empty();
            }
            JsonNode response = Jsons.MAPPER.readTree(r.body());
            assertThat(response.get("results")).hasSize(batch.events().length);
            return Optional.of(response);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private JsonNode postWithRetries(ServerProcess server, String key, Batch batch) throws InterruptedException {
        for (int attempt = 0; attempt < 20; attempt++) {
            Optional<JsonNode> response = post(server, key, batch);
            if (response.isPresent()) {
                return response.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("a batch was not acknowledged after the restart; server log:\n" + server.log());
    }

    private void createMeter(ServerProcess server, String key) throws IOException, InterruptedException {
        String meter = "{\"key\":\"" + METER + "\",\"event_type\":\"" + TYPE + "\",\"aggregation\":\"count\"}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri("/v1/meters"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(meter)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 201);
    }

    /** The sum of the meter's values over every customer and day around now. */
    private BigDecimal countOverAllCustomers(ServerProcess server, String key) throws IOException, InterruptedException {
        BigDecimal total = BigDecimal.ZERO;
        for (int c = 0; c < CUSTOMERS; c++) {
            JsonNode usage = getJson(server, key, "/v1/meters/" + METER + "/usage?customer=customer-" + c + "&"
                    + period() + "&window=day");
            for (JsonNode row : usage.get("rows")) {
                total = total.add(new BigDecimal(row.get("value").asText()));
            }
        }
        return total;
    }

    /** From the start of yesterday to the start of the day after tomorrow (UTC). */
    private static String period() {
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        return "from=" + URLEncoder.encode(today.minus(1, ChronoUnit.DAYS).toString(), StandardCharsets.UTF_8)
                + "&to=" + URLEncoder.encode(today.plus(2, ChronoUnit.DAYS).toString(), StandardCharsets.UTF_8);
    }

    private JsonNode getJson(ServerProcess server, String key, String pathAndQuery)
            throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri(pathAndQuery))
                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(pathAndQuery + " -> " + r.body()).isEqualTo(200);
        return Jsons.MAPPER.readTree(r.body());
    }

    private ServerProcess start(Path data, String logName, Map<String, String> env) throws Exception {
        ServerProcess p = new ServerProcess(data, dir.resolve(logName), ServerProcess.freePort(), env, List.of());
        processes.add(p);
        p.awaitReady(http);
        return p;
    }
}

package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tally.engine.TestDatabases;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL goes away under load: {@code tally serve} runs on a fresh PostgreSQL database while four clients
 * send batches at a steady rate; mid-stream the test restarts the PostgreSQL cluster, and later stops it for a
 * while (so the outage is observable deterministically: a request sent while it is down must get 503 with
 * Retry-After as problem details) and starts it again. Clients retry a batch on 503 and on connection errors
 * until it is acknowledged. In the end every distinct event is counted exactly once, re-sending acknowledged
 * batches yields only duplicates, and reconciliation finds no differences.
 *
 * <p>This restarts the machine's PostgreSQL cluster: other users of 127.0.0.1:5432 see it go away for a few
 * seconds. The cluster is always running again when the test ends.
 */
class PostgresRestartTest {
    private static final String METER = "pg_restart_events";
    private static final String TYPE = "pgr.event";
    private static final int UNIQUE = 40_000;
    private static final int RESENDS = UNIQUE / 10;
    private static final int BATCH = 500;
    private static final int THREADS = 4;
    private static final int CUSTOMERS = 10;
    /** Batches are released at this pace (a steady stream of ~9 s), so the outages fall mid-stream. */
    private static final long BATCH_EVERY_MILLIS = 100;
    private static final int PROBE_EVENTS = 50;

    @TempDir
    Path dir;

    private String database;
    private ServerProcess server;
    private boolean stoppedCluster;

    /** A batch of events: the distinct event indexes it carries (with repeats) and its body. */
    private record Batch(int[] events, String body) {
    }

    /** What the clients saw. */
    private final AtomicInteger unavailable = new AtomicInteger();
    private final AtomicInteger connectionErrors = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> badUnavailable = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();

    @AfterEach
    void cleanUp() throws Exception {
        try {
            if (server != null) {
                server.kill();
            }
        } finally {
            try {
                if (stoppedCluster) {
                    PgCluster.ensureRunning();
                }
            } finally {
                TestDatabases.drop(database);
            }
        }
    }

    @Test
    @Timeout(value = 110, unit = TimeUnit.SECONDS)
    void restartAndOutageOfPostgresLoseNothingAndCountNothingTwice() throws Exception {
        database = TestDatabases.createMigrated();
        String key = "tly_" + UUID.randomUUID().toString().replace("-", "");
        Path data = dir.resolve("data");
        server = new ServerProcess(data, dir.resolve("server.log"), ServerProcess.freePort(),
                Map.of("TALLY_BOOTSTRAP_KEY", key, "TALLY_BILLING_INTERVAL_SECONDS", "0"),
                List.of("--database-url", database));
        server.awaitReady(TallyApi.http());
        TallyApi api = new TallyApi(server, key, "server");
        api.json("POST", "/v1/meters", "{\"key\":\"" + METER + "\",\"event_type\":\"" + TYPE
                + "\",\"aggregation\":\"count\"}", 201);

        Instant now = Instant.now();
        List<Batch> batches = plan(now);
        Batch probe = probe(now);

        // Four clients; batch i is not sent before start + i * BATCH_EVERY_MILLIS.
        AtomicReferenceArray<JsonNode> responses = new AtomicReferenceArray<>(batches.size());
        AtomicInteger next = new AtomicInteger();
        AtomicInteger acknowledged = new AtomicInteger();
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        for (int t = 0; t < THREADS; t++) {
            pool.execute(() -> {
                try {
                    for (int i = next.getAndIncrement(); i < batches.size(); i = next.getAndIncrement()) {
                        long due = started + TimeUnit.MILLISECONDS.toNanos(i * BATCH_EVERY_MILLIS);
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                        responses.set(i, sendUntilAcknowledged(api, batches.get(i), 60));
                        acknowledged.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException | AssertionError e) {
                    unexpected.add("client thread failed: " + e);
                }
            });
        }
        pool.shutdown();

        // 1. A restart of the cluster once a quarter of the batches is acknowledged.
        await(() -> acknowledged.get(), batches.size() / 4, "a quarter of the batches acknowledged");
        int ackedBeforeRestart = acknowledged.get();
        stoppedCluster = true;
        long restartStarted = System.nanoTime();
        PgCluster.Run restart = PgCluster.cluster("restart");
        long restartMillis = (System.nanoTime() - restartStarted) / 1_000_000;
        assertThat(restart.exit()).as("pg_ctlcluster restart: " + restart.output()).isZero();
        assertThat(PgCluster.awaitReady(30)).as("pg_isready after the restart").isTrue();
        int ackedAfterRestart = acknowledged.get();

        // 2. An outage that is observable for sure: stop, a request must get 503, start again.
        await(() -> acknowledged.get(), batches.size() / 2, "half the batches acknowledged");
        PgCluster.Run stop = PgCluster.cluster("stop");
        assertThat(stop.exit()).as("pg_ctlcluster stop: " + stop.output()).isZero();
        assertThat(PgCluster.isReady()).as("pg_isready while stopped").isFalse();
        long probeStarted = System.nanoTime();
        HttpResponse<String> during = api.postEvents(probe.body());
        long probeMillis = (System.nanoTime() - probeStarted) / 1_000_000;
        assertThat(during.statusCode()).as("ingest while PostgreSQL is down -> " + during.body()).isEqualTo(503);
        assertUnavailableShape(during);
        int ackedBeforeStop = acknowledged.get();
        Thread.sleep(1_500); // the clients run into the outage too
        int ackedDuringStop = acknowledged.get() - ackedBeforeStop;
        PgCluster.Run start = PgCluster.cluster("start");
        assertThat(start.exit()).as("pg_ctlcluster start: " + start.output()).isZero();
        assertThat(PgCluster.awaitReady(30)).as("pg_isready after the start").isTrue();
        stoppedCluster = false;
        JsonNode probeAck = sendUntilAcknowledged(api, probe, 30);
        assertThat(probeAck.get("accepted").asInt() + probeAck.get("duplicates").asInt()).isEqualTo(PROBE_EVENTS);

        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).as("the clients finished").isTrue();
        long streamMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("PostgresRestartTest: %d batches in %d ms; restart took %d ms (acknowledged before %d, after %d)"
                        + ", %d acknowledged while stopped; the probe got its 503 after %d ms; clients saw %d x 503 and"
                        + " %d connection errors%n",
                batches.size(), streamMillis, restartMillis, ackedBeforeRestart, ackedAfterRestart, ackedDuringStop,
                probeMillis, unavailable.get(), connectionErrors.get());

        assertThat(unexpected).as("unexpected answers; server log tail:\n" + server.logTail(80)).isEmpty();
        assertThat(badUnavailable).as("503s without Retry-After or problem details").isEmpty();
        assertThat(unavailable.get()).as("requests answered 503 during the outages (besides the probe)").isPositive();
        assertThat(ackedDuringStop).as("no batch is acknowledged while PostgreSQL is stopped").isZero();
        long accepted = 0;
        for (int i = 0; i < batches.size(); i++) {
            JsonNode r = responses.get(i);
            assertThat(r).as("batch %d acknowledged", i).isNotNull();
            assertThat(r.get("rejected").asInt()).as("batch %d: %s", i, r).isZero();
            assertThat(r.get("accepted").asInt() + r.get("duplicates").asInt()).isEqualTo(batches.get(i).events().length);
            accepted += r.get("accepted").asInt();
        }
        accepted += probeAck.get("accepted").asInt();
        assertThat(accepted).as("accepted over all acknowledgements (an answer lost in a restart makes its retry"
                + " a duplicate, so at most the distinct ids)").isLessThanOrEqualTo(UNIQUE + PROBE_EVENTS);

        // Exactly the distinct ids are counted.
        BigDecimal counted = count(api);
        assertThat(counted).as("usage count over all customers; server log tail:\n" + server.logTail(40))
                .isEqualByComparingTo(BigDecimal.valueOf(UNIQUE + PROBE_EVENTS));

        // Re-sending acknowledged batches: only duplicates.
        int resent = 0;
        for (int i = 0; i < batches.size(); i += 7) {
            JsonNode r = sendUntilAcknowledged(api, batches.get(i), 10);
            for (JsonNode e : r.get("results")) {
                assertThat(e.get("status").asText()).as("re-sent acknowledged event %s", e.get("id")).isEqualTo("duplicate");
                resent++;
            }
        }
        JsonNode again = sendUntilAcknowledged(api, probe, 10);
        assertThat(again.get("duplicates").asInt()).isEqualTo(PROBE_EVENTS);
        assertThat(resent).isPositive();
        assertThat(count(api)).isEqualByComparingTo(BigDecimal.valueOf(UNIQUE + PROBE_EVENTS));

        // The aggregates reconcile with the raw events.
        JsonNode report = api.get("/v1/reconciliation?" + period());
        assertThat(report.get("differences")).as(report.toString()).isEmpty();
        assertThat(report.get("events_scanned").asLong()).as(report.toString()).isEqualTo(UNIQUE + PROBE_EVENTS);
        assertThat(server.isAlive()).isTrue();
    }

    @Test
    @Timeout(value = 110, unit = TimeUnit.SECONDS)
    void readsAndBillingRunsDuringAnOutageAnswer503WithRetryAfter() throws Exception {
        database = TestDatabases.createMigrated();
        String key = "tly_" + UUID.randomUUID().toString().replace("-", "");
        server = new ServerProcess(dir.resolve("data"), dir.resolve("server.log"), ServerProcess.freePort(),
                Map.of("TALLY_BOOTSTRAP_KEY", key, "TALLY_BILLING_INTERVAL_SECONDS", "0"),
                List.of("--database-url", database));
        server.awaitReady(TallyApi.http());
        TallyApi api = new TallyApi(server, key, "server");
        api.json("POST", "/v1/meters", "{\"key\":\"" + METER + "\",\"event_type\":\"" + TYPE
                + "\",\"aggregation\":\"count\"}", 201);
        assertThat(sendUntilAcknowledged(api, probe(Instant.now()), 10).get("accepted").asInt()).isEqualTo(PROBE_EVENTS);

        List<String> wrong = new ArrayList<>();
        stoppedCluster = true;
        try {
            PgCluster.Run stop = PgCluster.cluster("stop");
            assertThat(stop.exit()).as("pg_ctlcluster stop: " + stop.output()).isZero();
            for (String[] request : new String[][] {{"GET", "/v1/meters/" + METER + "/usage?" + period()},
                    {"GET", "/v1/events?limit=10"}, {"GET", "/v1/reconciliation?" + period()},
                    {"POST", "/v1/billing/runs"}}) {
                HttpResponse<String> r = api.send(request[0], request[1], null, null);
                try {
                    assertThat(r.statusCode()).as("status").isEqualTo(503);
                    assertUnavailableShape(r);
                } catch (AssertionError e) {
                    wrong.add(request[0] + " " + request[1] + " -> " + r.statusCode() + " " + r.body());
                }
            }
        } finally {
            PgCluster.ensureRunning();
            stoppedCluster = false;
        }
        assertThat(wrong).as("requests during the outage that did not answer 503 + Retry-After; server log tail:\n"
                + server.logTail(30)).isEmpty();
        // and once PostgreSQL is back, they work again
        assertThat(count(api)).isEqualByComparingTo(BigDecimal.valueOf(PROBE_EVENTS));
    }

    /** Sends a batch until a 200 (retrying 503s and connection errors with a short backoff); its response. */
    private JsonNode sendUntilAcknowledged(TallyApi api, Batch batch, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long backoff = 50;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = api.postEvents(batch.body());
                if (r.statusCode() == 200) {
                    JsonNode response = Jsons.MAPPER.readTree(r.body());
                    assertThat(response.get("results")).hasSize(batch.events().length);
                    return response;
                }
                if (r.statusCode() == 503) {
                    unavailable.incrementAndGet();
                    try {
                        assertUnavailableShape(r);
                    } catch (AssertionError e) {
                        badUnavailable.add(e.getMessage());
                    }
                } else {
                    unexpected.add(r.statusCode() + " " + r.headers().firstValue("Content-Type").orElse("") + " "
                            + r.body());
                }
            } catch (IOException e) {
                connectionErrors.incrementAndGet();
            }
            Thread.sleep(backoff);
            backoff = Math.min(backoff * 2, 500);
        }
        throw new AssertionError("a batch was not acknowledged within " + seconds + " s; server log tail:\n"
                + server.logTail(60));
    }

    private static void assertUnavailableShape(HttpResponse<String> r) throws IOException {
        assertThat(r.headers().firstValue("Retry-After")).as("Retry-After on 503: " + r.body())
                .hasValueSatisfying(v -> assertThat(Long.parseLong(v.trim())).isNotNegative());
        assertThat(r.headers().firstValue("Content-Type")).as("Content-Type of a 503")
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        JsonNode problem = Jsons.MAPPER.readTree(r.body());
        assertThat(problem.get("status").asInt()).isEqualTo(503);
        assertThat(problem.hasNonNull("type")).as(r.body()).isTrue();
        assertThat(problem.hasNonNull("title")).as(r.body()).isTrue();
        assertThat(problem.hasNonNull("detail")).as(r.body()).isTrue();
    }

    private void await(IntSupplier value, int atLeast, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (value.getAsInt() < atLeast) {
            if (System.nanoTime() > deadline) {
                fail("not reached within 60 s: " + what + " (" + value.getAsInt() + "); unexpected: " + unexpected
                        + "; server log tail:\n" + server.logTail(60));
            }
            Thread.sleep(10);
        }
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
                json[index] = event("pgr-" + index, index % CUSTOMERS, now.minusMillis(random.nextInt(120_000)), index);
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
        batches.forEach(b -> Arrays.stream(b.events()).forEach(distinct::add));
        assertThat(distinct).hasSize(UNIQUE);
        return batches;
    }

    /** The batch sent while PostgreSQL is down: PROBE_EVENTS new ids. */
    private static Batch probe(Instant now) {
        StringBuilder body = new StringBuilder("[");
        int[] events = new int[PROBE_EVENTS];
        for (int i = 0; i < PROBE_EVENTS; i++) {
            events[i] = i;
            body.append(i > 0 ? "," : "").append(event("probe-" + i, i % CUSTOMERS, now.minusSeconds(5), i));
        }
        return new Batch(events, body.append(']').toString());
    }

    private static String event(String id, int customer, Instant time, int n) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"pg-restart-test\",\"type\":\"" + TYPE
                + "\",\"subject\":\"customer-" + customer + "\",\"time\":\"" + time + "\",\"data\":{\"n\":" + n + "}}";
    }

    /** The meter's count over every customer, yesterday to the day after tomorrow. */
    private static BigDecimal count(TallyApi api) throws IOException, InterruptedException {
        BigDecimal total = BigDecimal.ZERO;
        for (JsonNode row : api.get("/v1/meters/" + METER + "/usage?" + period() + "&window=day").get("rows")) {
            total = total.add(new BigDecimal(row.get("value").asText()));
        }
        return total;
    }

    /** From the start of yesterday to the start of the day after tomorrow (UTC). */
    private static String period() {
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        return "from=" + URLEncoder.encode(today.minus(1, ChronoUnit.DAYS).toString(), StandardCharsets.UTF_8)
                + "&to=" + URLEncoder.encode(today.plus(2, ChronoUnit.DAYS).toString(), StandardCharsets.UTF_8);
    }
}

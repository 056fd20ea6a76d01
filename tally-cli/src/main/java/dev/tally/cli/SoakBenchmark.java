package dev.tally.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The soak benchmark: a {@code tally serve} process of its own, on a simulated clock that runs fast enough for the
 * run to span {@code simulatedDays} (so ids age through the dedup window and closed segments are compressed and
 * archived), is sent {@code events} events with production-like ids over HTTP from this process. Every
 * {@code reportEvery} events the senders stop and one line gives the ingest rate of that stretch, the server's heap
 * after a full collection per id in the dedup window, the ids per tier, the log's bytes per event on local disk and
 * in the archive, the last checkpoint, the load average, and a re-send of earlier ids (which must never be accepted
 * twice). At the end the server is killed with SIGKILL and the restart timed until it is ready and until it shows
 * the same totals as before the kill. With a database URL the server runs on PostgreSQL and the lines give the
 * events table's partitions and bytes instead of the log's.
 */
final class SoakBenchmark {
    static final String METER = "bench_soak";

    /** What to run. */
    record Settings(long events, long reportEvery, int batch, int concurrency, int customers, double simulatedDays,
            long expectedRate, int backdatingDays, String serverHeap, Duration checkpointInterval,
            Optional<Long> dedupMemoryMb, Optional<String> databaseUrl, int resend, long seed, Optional<Instant> stopAt) {
        Settings {
            if (events < 1 || batch < 1 || concurrency < 1 || reportEvery < batch || expectedRate < 1
                    || backdatingDays < 1 || resend < 0 || !(simulatedDays > 0)) {
                throw new IllegalArgumentException("events, batch, concurrency, report interval (at least a batch), "
                        + "expected rate, backdating days and simulated days must be positive");
            }
            if (reportEvery % batch != 0) {
                throw new IllegalArgumentException("the report interval must be a multiple of the batch size");
            }
            if (customers < 1 || customers > SoakEvents.MAX_CUSTOMERS) {
                throw new IllegalArgumentException("customers must be in [1, " + SoakEvents.MAX_CUSTOMERS + "]");
            }
        }
    }

    /** The outcome. */
    record Result(long accepted, long rejected, long acceptedOnResend, long readyNanos, long totalsNanos,
            boolean totalsEqual, long idsBefore, long idsAfter) {
        boolean consistent() {
            return rejected == 0 && acceptedOnResend == 0 && totalsEqual;
        }
    }

    private final Settings settings;
    private final Path data;
    private final PrintWriter out;
    private final ScaledClock clock;
    private final long[] batchTimes;
    private final LongAdder accepted = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder tokens = new LongAdder();
    private long acceptedOnResend;
    private Duration cpuBefore = Duration.ZERO;
    private String key;

    SoakBenchmark(Settings settings, Path data, PrintWriter out) {
        this.settings = settings;
        this.data = data;
        this.out = out;
        long wallStart = System.currentTimeMillis();
        long span = (long) (settings.simulatedDays() * 86_400_000d);
        double expectedMillis = settings.events() * 1000d / settings.expectedRate();
        // simulated time starts simulatedDays ago and reaches the wall clock when the run ends at the expected rate
        this.clock = new ScaledClock(wallStart - span, wallStart, span / expectedMillis);
        long batches = (settings.events() + settings.batch() - 1) / settings.batch();
        if (batches > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("too many batches");
        }
        this.batchTimes = new long[(int) batches];
    }

    Result run() throws IOException, InterruptedException {
        Files.createDirectories(data);
        Path archive = data.resolveSibling(data.getFileName() + "-archive");
        Files.createDirectories(archive);
        Path log = data.resolveSibling(data.getFileName() + "-server.log");
        int port = ServeChild.freePort();
        Map<String, String> env = serverEnvironment(archive);
        List<String> args = new ArrayList<>(List.of("--simulated-clock", clock.spec()));
        settings.databaseUrl().ifPresent(url -> args.addAll(List.of("--database-url", url)));
        out.printf(Locale.ROOT, "simulated clock: %.0fx (1 wall second = %.1f simulated minutes), from %s; server "
                        + "-Xmx%s, %s; log of the server in %s%n", clock.rate(), clock.rate() / 60,
                Instant.ofEpochMilli(clock.millis()), settings.serverHeap(), describe(env), log);
        out.flush();
        ServeChild server = ServeChild.start(port, data, log, settings.serverHeap(), env, args);
        ServeChild restarted = null;
        try {
            server.awaitReady(Duration.ofMinutes(5));
            key = ApiKeys.fromFile(data.resolve(ApiKeys.KEY_FILE)).orElseThrow(
                    () -> new CliFailureException("the server wrote no bootstrap key to " + data));
            ApiClient client = new ApiClient(URI.create("http://127.0.0.1:" + port), key, RetryPolicy.withRetries(8),
                    Duration.ofMinutes(10));
            ApiResponse meter = client.post("/v1/meters", "application/json", ("{\"key\":\"" + METER
                    + "\",\"event_type\":\"" + SoakEvents.EVENT_TYPE
                    + "\",\"aggregation\":\"sum\",\"value_path\":\"tokens\"}").getBytes(StandardCharsets.UTF_8));
            if (!meter.ok() && meter.status() != 409) {
                throw new CliFailureException("cannot create the benchmark meter: HTTP " + meter.status() + " "
                        + meter.text());
            }
            cpuBefore = server.cpu();
            long sendNanos = 0;
            long wallStarted = System.nanoTime();
            long sent = 0;
            for (long from = 0; from < settings.events(); from += settings.reportEvery()) {
                if (settings.stopAt().isPresent() && Instant.now().isAfter(settings.stopAt().get())) {
                    out.printf("stopped early at %s (--stop-at %s): %s of %s events sent%n", Instant.now(),
                            settings.stopAt().get(), Format.count(from), Format.count(settings.events()));
                    break;
                }
                long to = Math.min(settings.events(), from + settings.reportEvery());
                long started = System.nanoTime();
                send(port, from, to);
                long took = System.nanoTime() - started;
                sendNanos += took;
                sent = to;
                report(server, to - from, to, took, sendNanos);
            }
            out.printf(Locale.ROOT, "sent %s events in %s s of sending (%s s wall with the reports): %s events/s; "
                            + "accepted %s, duplicates %s, rejected %s; sum of tokens sent %s%n",
                    Format.count(sent),
                    Format.seconds(sendNanos), Format.seconds(System.nanoTime() - wallStarted),
                    Format.count((long) (sent / (sendNanos / 1e9))), Format.count(accepted.sum()),
                    Format.count(duplicates.sum()), Format.count(rejected.sum()), tokens.sum());
            String totalsBefore = totals(client);
            long idsBefore = idsInWindow(server.metrics());
            out.printf("before kill -9: usage %s; ids in window %s; kill -9%n", totalsBefore, Format.count(idsBefore));
            out.flush();
            server.killNine();

            long restart = System.nanoTime();
            restarted = ServeChild.start(port, data, log, settings.serverHeap(), env, args);
            restarted.awaitReady(Duration.ofMinutes(30));
            long ready = System.nanoTime() - restart;
            String totalsAfter = totals(client);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!totalsAfter.equals(totalsBefore) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                totalsAfter = totals(client);
            }
            long totalsNanos = System.nanoTime() - restart;
            long idsAfter = idsInWindow(restarted.metrics());
            String replay = Files.readAllLines(log).stream().filter(l -> l.contains("log records in"))
                    .reduce((a, b) -> b).orElse("(no replay line in " + log + ")");
            out.printf("restart after kill -9: ready in %s s, same totals in %s s (%s); ids in window %s (before %s)%n",
                    Format.seconds(ready), Format.seconds(totalsNanos), totalsAfter, Format.count(idsAfter),
                    Format.count(idsBefore));
            out.printf("  %s%n", replay.trim());
            out.flush();
            restarted.stop();
            restarted = null;
            return new Result(accepted.sum(), rejected.sum(), acceptedOnResend, ready, totalsNanos,
                    totalsAfter.equals(totalsBefore), idsBefore, idsAfter);
        } finally {
            if (server.alive()) {
                server.killNine();
            }
            if (restarted != null) {
                restarted.killNine();
            }
        }
    }

    private Map<String, String> serverEnvironment(Path archive) {
        Map<String, String> env = new HashMap<>();
        env.put("TALLY_CHECKPOINT_INTERVAL_SECONDS", Long.toString(settings.checkpointInterval().toSeconds()));
        env.put("TALLY_BACKDATING_DAYS", Integer.toString(settings.backdatingDays()));
        env.put("TALLY_BILLING_INTERVAL_SECONDS", "0");
        env.put("TALLY_ARCHIVE_DIR", archive.toString());
        env.put("TALLY_ARCHIVE_EVERY_MINUTES", "1");
        env.put("TALLY_LOG_LOCAL_RETENTION_HOURS", "24");
        env.put("TALLY_EVENTS_RETENTION_DAYS", "1");
        env.put("TALLY_EVENTS_RETENTION_EVERY_MINUTES", "1");
        settings.dedupMemoryMb().ifPresent(mb -> env.put("TALLY_DEDUP_MEMORY_MB", Long.toString(mb)));
        return env;
    }

    private static String describe(Map<String, String> env) {
        return new java.util.TreeMap<>(env).toString().replace("{", "").replace("}", "");
    }

    /** Sends events [from, to) from {@code concurrency} threads, each with its own connection and request buffer. */
    private void send(int port, long from, long to) throws InterruptedException {
        AtomicLong nextBatch = new AtomicLong(from / settings.batch());
        long endBatch = (to + settings.batch() - 1) / settings.batch();
        ExecutorService pool = Executors.newFixedThreadPool(settings.concurrency());
        List<Future<?>> senders = new ArrayList<>();
        for (int t = 0; t < settings.concurrency(); t++) {
            senders.add(pool.submit(() -> {
                SoakEvents events = new SoakEvents(settings.seed(), settings.customers());
                try (RawHttpConnection connection = new RawHttpConnection("127.0.0.1", port, 600_000)) {
                    byte[] full = request(port, settings.batch());
                    for (long b = nextBatch.getAndIncrement(); b < endBatch; b = nextBatch.getAndIncrement()) {
                        long first = b * settings.batch();
                        int count = (int) Math.min(settings.batch(), to - first);
                        byte[] request = count == settings.batch() ? full : request(port, count);
                        int bodyStart = request.length - (SoakEvents.templateBody(count).length);
                        long now = clock.simulatedMillisAt(System.currentTimeMillis());
                        batchTimes[(int) b] = now;
                        long sum = 0;
                        for (int n = 0; n < count; n++) {
                            sum += events.write(request, SoakEvents.eventOffset(bodyStart, n), first + n, now);
                        }
                        IngestCounts c = post(connection, request);
                        accepted.add(c.accepted());
                        duplicates.add(c.duplicates());
                        rejected.add(c.rejected());
                        if (c.accepted() == count) {
                            tokens.add(sum);
                        }
                    }
                }
                return null;
            }));
        }
        pool.shutdown();
        try {
            for (Future<?> f : senders) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new CliFailureException(e.getCause().toString());
        }
    }

    private byte[] request(int port, int count) {
        return RawHttpConnection.request("POST", "/v1/events", "127.0.0.1:" + port, key,
                "application/cloudevents-batch+json", SoakEvents.templateBody(count));
    }

    /** One batch, re-sent after a connection error or a 429/503 (safe: the server deduplicates). */
    private static IngestCounts post(RawHttpConnection connection, byte[] request) {
        IOException last = null;
        for (int attempt = 0; attempt < 30; attempt++) {
            try {
                RawResponse r = connection.exchange(request);
                if (r.status() / 100 == 2) {
                    return IngestCounts.scan(r.body());
                }
                if (!RetryPolicy.retryableStatus(r.status())) {
                    throw new CliFailureException("a batch failed: HTTP " + r.status() + " "
                            + new String(r.body(), StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                last = e;
            }
            try {
                Thread.sleep(Math.min(5_000, 100L << Math.min(attempt, 6)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliFailureException("interrupted");
            }
        }
        throw new CliFailureException("a batch failed 30 times" + (last == null ? "" : ": " + last));
    }

    /** One report line; the senders are idle while it is taken. */
    private void report(ServeChild server, long window, long sent, long windowNanos, long sendNanos)
            throws IOException, InterruptedException {
        Duration stretchCpu = server.cpu().minus(cpuBefore);
        long heap = server.heapAfterGc();
        Resend resend = resend(server.port(), sent);
        Map<String, BigDecimal> m = server.metrics();
        long memoryIds = get(m, "tally_dedup_window_ids{tier=\"memory\"}");
        long diskIds = get(m, "tally_dedup_window_ids{tier=\"disk\"}");
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "events %s | rate %s/s (last %s), %s/s overall | server CPU %s s, %s events per CPU-second "
                        + "| heap after GC %s MiB",
                Format.count(sent), Format.count((long) (window / (windowNanos / 1e9))), Format.count(window),
                Format.count((long) (sent / (sendNanos / 1e9))), Format.seconds(stretchCpu.toNanos()),
                Format.count(stretchCpu.isZero() ? 0 : (long) (window / (stretchCpu.toNanos() / 1e9))),
                Format.count(heap >> 20)));
        if (settings.databaseUrl().isEmpty()) {
            long ids = memoryIds + diskIds;
            line.append(String.format(Locale.ROOT, ", %.1f B/id | ids in window %s (memory %s, disk %s) | "
                            + "dedup heap %s MiB, disk %s MiB | log local %.1f B/event, archived %.1f B/event "
                            + "(segments %s plain, %s compressed, %s archived) | positions %s MiB",
                    ids == 0 ? 0d : (double) heap / ids, Format.count(ids), Format.count(memoryIds),
                    Format.count(diskIds), Format.count(get(m, "tally_dedup_heap_bytes{tier=\"memory\"}") >> 20),
                    Format.count(get(m, "tally_dedup_disk_bytes") >> 20),
                    (double) get(m, "tally_log_bytes{location=\"local\"}") / sent,
                    (double) get(m, "tally_log_bytes{location=\"archived\"}") / sent,
                    get(m, "tally_log_segments{state=\"plain\"}"), get(m, "tally_log_segments{state=\"compressed\"}"),
                    get(m, "tally_log_segments{state=\"archived\"}"), Format.count(get(m, "tally_position_index_bytes")
                            >> 20)));
        } else {
            line.append(String.format(Locale.ROOT, ", %.1f B/event | %s", (double) heap / sent, postgres(sent)));
        }
        line.append(String.format(Locale.ROOT, " | checkpoint %s s, wrote %s MiB, chain %s MiB (%s deltas)",
                m.getOrDefault("tally_checkpoint_duration_seconds", BigDecimal.ZERO).setScale(3,
                        java.math.RoundingMode.HALF_UP).toPlainString(),
                Format.count(get(m, "tally_checkpoint_written_bytes") >> 20),
                Format.count(get(m, "tally_checkpoint_size_bytes") >> 20), get(m, "tally_checkpoint_deltas")));
        line.append(String.format(Locale.ROOT, " | simulated %s, day %.1f | re-sent %s: %s duplicate, %s rejected, "
                        + "%s accepted | load %.2f", Instant.ofEpochMilli(clock.millis()).toString().substring(0, 16),
                (clock.millis() - batchTimes[0]) / 86_400_000d, resend.sent, resend.counts.duplicates(),
                resend.counts.rejected(), resend.counts.accepted(), load));
        out.println(line);
        out.flush();
        cpuBefore = server.cpu(); // the next stretch's CPU leaves this report's collection and re-send out
    }

    private record Resend(int sent, IngestCounts counts) {
    }

    /** Re-sends {@code resend} earlier events exactly (uniformly over all sent); none may be accepted again. */
    private Resend resend(int port, long sent) throws IOException {
        int count = (int) Math.min(settings.resend(), sent);
        if (count == 0) {
            return new Resend(0, new IngestCounts(0, 0, 0));
        }
        byte[] request = request(port, count);
        int bodyStart = request.length - SoakEvents.templateBody(count).length;
        SoakEvents events = new SoakEvents(settings.seed(), settings.customers());
        long z = SoakEvents.mix(settings.seed() ^ sent);
        java.util.Set<Long> chosen = new java.util.HashSet<>();
        for (int n = 0; n < count; ) {
            z = SoakEvents.mix(z + 1);
            long index = Math.floorMod(z, sent);
            if (chosen.add(index) || chosen.size() >= sent) {
                events.write(request, SoakEvents.eventOffset(bodyStart, n), index,
                        batchTimes[(int) (index / settings.batch())]);
                n++;
            }
        }
        try (RawHttpConnection connection = new RawHttpConnection("127.0.0.1", port, 600_000)) {
            IngestCounts c = post(connection, request);
            acceptedOnResend += c.accepted();
            return new Resend(count, c);
        }
    }

    /** The meter's value and event count over every customer and the whole simulated span. */
    private String totals(ApiClient client) {
        String from = Instant.ofEpochMilli(batchTimes[0]).minus(Duration.ofDays(1)).truncatedTo(
                java.time.temporal.ChronoUnit.DAYS).toString();
        String to = Instant.ofEpochMilli(clock.millis()).plus(Duration.ofDays(2)).truncatedTo(
                java.time.temporal.ChronoUnit.DAYS).toString();
        ApiResponse r = client.get("/v1/meters/" + METER + "/usage?window=none&from="
                + URLEncoder.encode(from, StandardCharsets.UTF_8) + "&to=" + URLEncoder.encode(to, StandardCharsets.UTF_8));
        if (!r.ok()) {
            return "HTTP " + r.status();
        }
        try {
            var rows = Jsons.MAPPER.readTree(r.body()).get("rows");
            BigDecimal value = BigDecimal.ZERO;
            long events = 0;
            for (var row : rows) {
                value = value.add(new BigDecimal(row.get("value").asText()));
                events += row.get("events").asLong();
            }
            return "sum " + value.toPlainString() + " over " + Format.count(events) + " events";
        } catch (IOException e) {
            throw new MalformedResponseException("usage response: " + e.getMessage());
        }
    }

    /** The PostgreSQL figures: partitions of events and their bytes per event, partitions archived. */
    private String postgres(long sent) {
        String url = settings.databaseUrl().orElseThrow();
        try (Connection c = DriverManager.getConnection(jdbc(url)); Statement s = c.createStatement()) {
            long partitions;
            long bytes;
            try (ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(pg_total_relation_size(i.inhrelid)), 0) "
                    + "FROM pg_inherits i WHERE i.inhparent = 'events'::regclass")) {
                rs.next();
                partitions = rs.getLong(1);
                bytes = rs.getLong(2);
            }
            long idBytes;
            try (ResultSet rs = s.executeQuery("SELECT coalesce(sum(pg_total_relation_size(i.inhrelid)), 0) "
                    + "FROM pg_inherits i WHERE i.inhparent = 'event_ids'::regclass")) {
                rs.next();
                idBytes = rs.getLong(1);
            }
            Map<String, Long> states = new HashMap<>();
            try (ResultSet rs = s.executeQuery("SELECT state, count(*) FROM archived_event_partitions GROUP BY state")) {
                while (rs.next()) {
                    states.put(rs.getString(1), rs.getLong(2));
                }
            }
            return String.format(Locale.ROOT, "events: %d partitions, %.1f B/event in the table; event_ids %.1f "
                    + "B/event; months detached %d, archived %d", partitions, (double) bytes / sent,
                    (double) idBytes / sent, states.getOrDefault("detached", 0L), states.getOrDefault("archived", 0L));
        } catch (SQLException e) {
            return "PostgreSQL figures unavailable: " + e.getMessage();
        }
    }

    /** A libpq-style URL ({@code postgresql://user@host:port/db}) as a JDBC one; a JDBC URL as it is. */
    static String jdbc(String url) {
        if (url.startsWith("jdbc:")) {
            return url;
        }
        URI u = URI.create(url);
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(u.getHost())
                .append(u.getPort() > 0 ? ":" + u.getPort() : "").append(u.getPath());
        String sep = "?";
        if (u.getUserInfo() != null) {
            String[] user = u.getUserInfo().split(":", 2);
            jdbc.append(sep).append("user=").append(URLEncoder.encode(user[0], StandardCharsets.UTF_8));
            sep = "&";
            if (user.length == 2) {
                jdbc.append(sep).append("password=").append(URLEncoder.encode(user[1], StandardCharsets.UTF_8));
            }
        }
        if (u.getQuery() != null) {
            jdbc.append(sep).append(u.getQuery());
        }
        return jdbc.toString();
    }

    private static long idsInWindow(Map<String, BigDecimal> m) {
        return get(m, "tally_dedup_window_ids{tier=\"memory\"}") + get(m, "tally_dedup_window_ids{tier=\"disk\"}");
    }

    private static long get(Map<String, BigDecimal> m, String name) {
        return m.getOrDefault(name, BigDecimal.ZERO).longValue();
    }
}

package dev.tally.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The restart benchmark: a {@code tally serve} process of its own is filled with distinct event ids (all inside the
 * dedup window), left to take a scheduled checkpoint, sent a tail that only the log holds, killed with SIGKILL and
 * restarted on the same data; the time from starting the new process to {@code /health/ready} is the figure. The
 * restarted server must remember every id (memory plus disk tier equal to what was sent), or the run fails.
 */
final class RestartBenchmark {
    static final String METER = "bench_restart";
    static final String TYPE = "bench.restart";

    /** What to run. */
    record Settings(long events, long tail, int batch, int concurrency, int customers, Duration checkpointInterval,
            String serverHeap, Optional<Long> dedupMemoryMb) {
        Settings {
            if (events < 1 || tail < 0 || batch < 1 || concurrency < 1 || customers < 1) {
                throw new IllegalArgumentException("events, batch, concurrency and customers must be positive");
            }
        }
    }

    /** The outcome. */
    record Result(long restartNanos, long idsAfterRestart, long expectedIds, String replayLine) {
        boolean consistent() {
            return idsAfterRestart == expectedIds;
        }
    }

    private final Settings settings;
    private final Path data;
    private final PrintWriter out;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    RestartBenchmark(Settings settings, Path data, PrintWriter out) {
        this.settings = settings;
        this.data = data;
        this.out = out;
    }

    Result run() throws IOException, InterruptedException {
        Files.createDirectories(data);
        int port = freePort();
        Process first = start(port, data.resolveSibling(data.getFileName() + "-server-1.log"));
        Process second = null;
        try {
            awaitReady(first, port, Duration.ofMinutes(2));
            String key = ApiKeys.fromFile(data.resolve(ApiKeys.KEY_FILE)).orElseThrow(
                    () -> new CliFailureException("the server wrote no bootstrap key to " + data));
            ApiClient client = new ApiClient(URI.create("http://127.0.0.1:" + port), key, RetryPolicy.withRetries(8));
            ApiResponse meter = client.post("/v1/meters", "application/json", ("{\"key\":\"" + METER
                    + "\",\"event_type\":\"" + TYPE + "\",\"aggregation\":\"count\"}").getBytes(StandardCharsets.UTF_8));
            if (!meter.ok() && meter.status() != 409) {
                throw new CliFailureException("cannot create the benchmark meter: HTTP " + meter.status());
            }
            Instant now = Instant.now();
            long started = System.nanoTime();
            send(client, 0, settings.events(), now);
            long filled = System.nanoTime() - started;
            out.printf("filled the window with %s ids in %s s (%s events/s)%n", Format.count(settings.events()),
                    Format.seconds(filled), Format.count((long) (settings.events() / (filled / 1e9))));
            out.flush();
            awaitCheckpoint(port);
            Map<String, Long> before = metrics(port);
            out.printf("checkpoint taken: chain %s bytes (%s deltas), the last wrote %s bytes%n",
                    Format.count(before.getOrDefault("tally_checkpoint_size_bytes", 0L)),
                    Format.count(before.getOrDefault("tally_checkpoint_deltas", 0L)),
                    Format.count(before.getOrDefault("tally_checkpoint_written_bytes", 0L)));
            send(client, settings.events(), settings.events() + settings.tail(), now);
            out.printf("sent a tail of %s events that only the log holds; kill -9%n", Format.count(settings.tail()));
            out.flush();
            first.destroyForcibly();
            first.waitFor(60, TimeUnit.SECONDS);

            Path secondLog = data.resolveSibling(data.getFileName() + "-server-2.log");
            long restart = System.nanoTime();
            second = start(port, secondLog);
            awaitReady(second, port, Duration.ofMinutes(30));
            long restartNanos = System.nanoTime() - restart;
            Map<String, Long> after = metrics(port);
            long ids = after.getOrDefault("tally_dedup_window_ids{tier=\"memory\"}", 0L)
                    + after.getOrDefault("tally_dedup_window_ids{tier=\"disk\"}", 0L);
            String replay = Files.readAllLines(secondLog).stream().filter(l -> l.contains("log records in"))
                    .reduce((a, b) -> b).orElse("(no replay line in " + secondLog + ")");
            stop(second);
            second = null;
            return new Result(restartNanos, ids, settings.events() + settings.tail(), replay.trim());
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroyForcibly();
            }
        }
    }

    /** Sends events [from, to) in batches from {@code concurrency} threads (generated on the fly, never held). */
    private void send(ApiClient client, long from, long to, Instant now) throws InterruptedException {
        AtomicLong next = new AtomicLong(from);
        ExecutorService pool = Executors.newFixedThreadPool(settings.concurrency());
        List<Future<?>> senders = new ArrayList<>();
        for (int t = 0; t < settings.concurrency(); t++) {
            senders.add(pool.submit(() -> {
                for (long start = next.getAndAdd(settings.batch()); start < to; start = next.getAndAdd(settings.batch())) {
                    byte[] body = batch(start, Math.min(to, start + settings.batch()), now);
                    ApiResponse r = client.post("/v1/events", "application/cloudevents-batch+json", body);
                    if (!r.ok()) {
                        throw new CliFailureException("a batch failed: HTTP " + r.status() + " " + r.text());
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
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new CliFailureException(e.getCause().toString());
        }
    }

    private byte[] batch(long from, long to, Instant now) {
        StringBuilder sb = new StringBuilder((int) (to - from) * 160).append('[');
        for (long i = from; i < to; i++) {
            sb.append(i == from ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"r-").append(i)
                    .append("\",\"source\":\"bench-restart\",\"type\":\"").append(TYPE)
                    .append("\",\"subject\":\"customer-").append(i % settings.customers())
                    .append("\",\"time\":\"").append(now.minusSeconds(i % 3600)).append("\",\"data\":{}}");
        }
        return sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Waits until a checkpoint ran after the fill (the checkpoint's age drops below the time waited). */
    private void awaitCheckpoint(int port) throws InterruptedException {
        long waited = System.nanoTime();
        long limit = waited + settings.checkpointInterval().multipliedBy(3).toNanos() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < limit) {
            Thread.sleep(500);
            long age = metrics(port).getOrDefault("tally_checkpoint_age_seconds", Long.MAX_VALUE);
            long sinceFill = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - waited);
            if (age < sinceFill && metrics(port).getOrDefault("tally_checkpoint_size_bytes", 0L) > 0) {
                return;
            }
        }
        throw new CliFailureException("no checkpoint was taken after the fill");
    }

    private Map<String, Long> metrics(int port) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return StorageCommand.parse(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailureException("interrupted");
        }
    }

    /** {@code tally serve} in a JVM of its own, with this JVM's options (but its own heap and no recording). */
    private Process start(int port, Path log) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + settings.serverHeap()));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-Xmx") && !arg.startsWith("-XX:StartFlightRecording") && !arg.startsWith("-agent")
                    && !arg.startsWith("-javaagent") && !arg.startsWith("-Dsurefire")) {
                command.add(arg);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.tally.cli.Main", "serve",
                "--port", Integer.toString(port), "--data", data.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("TALLY_CHECKPOINT_INTERVAL_SECONDS",
                Long.toString(settings.checkpointInterval().toSeconds()));
        settings.dedupMemoryMb().ifPresent(mb -> pb.environment().put("TALLY_DEDUP_MEMORY_MB", Long.toString(mb)));
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        return pb.start();
    }

    private void awaitReady(Process p, int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new CliFailureException("the server exited with " + p.exitValue() + "; see its log next to "
                        + data);
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/health/ready")).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new CliFailureException("the server was not ready within " + timeout);
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

package dev.tally.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.engine.Engine;
import dev.tally.engine.entitlement.EntitlementAnswer;
import dev.tally.engine.entitlement.Entitlements;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Measures the entitlement check: in process (the engine's {@link Entitlements#check}, as the server calls it) and
 * over HTTP ({@code GET /v1/customers/{id}/entitlements/{feature}}, sequential, one keep-alive connection).
 * Customers have usage in every hour of the month so far, in two groups, so a metered check merges the most
 * hourly states a month can hold at that point. Run it as a program (the figures in docs/PERFORMANCE.md):
 * <pre>
 * ./mvnw -o -q -pl tally-server -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt \
 *     -Dmdep.includeScope=test
 * java -cp tally-server/target/test-classes:tally-server/target/classes:$(cat /tmp/cp.txt) \
 *     dev.tally.server.EntitlementBenchmark 1000 100000 2000
 * </pre>
 * Arguments: customers, in-process calls (after as many warm-up calls), HTTP requests (after 500 warm-up, with the
 * JDK client and with a raw keep-alive socket, plus {@code /health/live} as the server's floor).
 */
final class EntitlementBenchmark {
    static final String T = Engine.DEFAULT_TENANT;
    /** Nov 20, 12:00 UTC: 468 hours into the month. */
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final Instant MONTH = Instant.parse("2026-11-01T00:00:00Z");

    /** Latency percentiles of one series of calls, in microseconds. */
    record Result(String what, int calls, double p50, double p99, double p999, double max) {
        Result named(String name) {
            return new Result(name, calls, p50, p99, p999, max);
        }

        @Override
        public String toString() {
            return String.format("%-44s %,9d calls  p50 %7.1f us  p99 %7.1f us  p99.9 %7.1f us  max %8.1f us", what,
                    calls, p50, p99, p999, max);
        }
    }

    private EntitlementBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int customers = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        for (Result r : run(customers, calls, requests, System.out)) {
            System.out.println(r);
        }
    }

    static Result[] run(int customers, int calls, int requests, java.io.PrintStream log) throws Exception {
        Path dir = Files.createTempDirectory("tally-entitlement-bench");
        MutableClock clock = new MutableClock(NOW);
        ObjectMapper json = Json.newMapper();
        try (TallyServer server = TallyServer.start(new ServerConfig(0, dir, Optional.of(TestServer.KEY),
                Optional.empty(), Duration.ofDays(35), Duration.ZERO, Optional.empty(),
                dev.tally.engine.notify.WebhookSettings.MANUAL), clock)) {
            Engine e = server.engine();
            e.createMeter(T, json.readTree("{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                    + "\"value_path\":\"tokens\",\"group_by\":[\"model\"]}"));
            e.billing().createPlan(T, json.readTree("""
                    {"key":"pro","currency":"USD","interval":"monthly","charges":[
                      {"key":"tokens","type":"usage","meter":"tokens","price":{"model":"unit","unit_price":"0.001"}}],
                     "features":[{"key":"sso","type":"boolean"},
                      {"key":"tokens","type":"metered","meter":"tokens","limit":"100000000","grace_percent":"10"}]}"""));
            long started = System.nanoTime();
            int hours = (int) Duration.between(MONTH, NOW).toHours();
            StringBuilder batch = new StringBuilder();
            int inBatch = 0;
            long events = 0;
            for (int c = 0; c < customers; c++) {
                String id = "c" + c;
                e.billing().createCustomer(T, json.readTree("{\"external_id\":\"" + id + "\",\"currency\":\"USD\"}"));
                e.billing().subscribe(T, json.readTree("{\"customer\":\"" + id + "\",\"plan\":\"pro\",\"start\":\"" + MONTH + "\"}"));
                for (int h = 0; h < hours; h++) {
                    for (String model : new String[] {"big", "small"}) {
                        batch.append(inBatch == 0 ? "[" : ",").append("{\"specversion\":\"1.0\",\"id\":\"").append(id)
                                .append('-').append(h).append(model).append("\",\"source\":\"bench\",\"type\":\"llm.tokens\","
                                        + "\"subject\":\"").append(id).append("\",\"time\":\"")
                                .append(MONTH.plusSeconds(h * 3600L + 60)).append("\",\"data\":{\"tokens\":")
                                .append(100 + h % 7).append(",\"model\":\"").append(model).append("\"}}");
                        if (++inBatch == 1000) {
                            events += send(e, batch.append(']'));
                            batch.setLength(0);
                            inBatch = 0;
                        }
                    }
                }
            }
            if (inBatch > 0) {
                events += send(e, batch.append(']'));
            }
            log.printf("set up %,d customers, %,d events (%,d hours x 2 groups each) in %,d ms%n", customers, events,
                    hours, (System.nanoTime() - started) / 1_000_000);

            Entitlements ent = e.entitlements();
            SplittableRandom random = new SplittableRandom(42);
            EntitlementAnswer sample = ent.check(T, "c0", "tokens");
            log.println("sample: allowed=" + sample.allowed() + " used=" + sample.used().orElseThrow().toPlainString()
                    + " period=" + sample.period().orElseThrow());
            inProcess(ent, customers, calls, "tokens", random);
            Result metered = inProcess(ent, customers, calls, "tokens", random);
            Result toggle = inProcess(ent, customers, calls, "sso", random);

            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            overHttp(client, server.port(), customers, 500, random);
            Result http = overHttp(client, server.port(), customers, requests, random);
            try (RawClient raw = new RawClient(server.port())) {
                raw(raw, customers, 500, "tokens", random);
                Result rawMetered = raw(raw, customers, requests, "tokens", random);
                raw(raw, customers, 500, null, random);
                Result rawLive = raw(raw, customers, requests, null, random);
                return new Result[] {metered.named("in process, metered feature (hard limit)"),
                        toggle.named("in process, boolean feature"),
                        http.named("HTTP, java.net.http client, metered"),
                        rawMetered.named("HTTP, raw keep-alive socket, metered"),
                        rawLive.named("HTTP, raw socket, GET /health/live (baseline)")};
            }
        } finally {
            deleteRecursively(dir);
        }
    }

    private static long send(Engine e, CharSequence body) {
        return e.ingest(T, e.eventReader().read(body.toString().getBytes(StandardCharsets.UTF_8),
                CloudEventReader.BodyShape.BATCH)).accepted();
    }

    private static Result inProcess(Entitlements ent, int customers, int calls, String feature, SplittableRandom random) {
        long[] nanos = new long[calls];
        int allowed = 0;
        for (int i = 0; i < calls; i++) {
            String customer = "c" + random.nextInt(customers);
            long t0 = System.nanoTime();
            EntitlementAnswer a = ent.check(T, customer, feature);
            nanos[i] = System.nanoTime() - t0;
            allowed += a.allowed() ? 1 : 0;
        }
        if (allowed != calls) {
            throw new IllegalStateException("expected every check to be allowed, got " + allowed + " of " + calls);
        }
        return percentiles(feature, nanos);
    }

    private static Result overHttp(HttpClient client, int port, int customers, int requests, SplittableRandom random)
            throws IOException, InterruptedException {
        long[] nanos = new long[requests];
        for (int i = 0; i < requests; i++) {
            HttpRequest r = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/customers/c"
                    + random.nextInt(customers) + "/entitlements/tokens")).header("Authorization", "Bearer " + TestServer.KEY)
                    .GET().build();
            long t0 = System.nanoTime();
            HttpResponse<String> resp = client.send(r, HttpResponse.BodyHandlers.ofString());
            nanos[i] = System.nanoTime() - t0;
            if (resp.statusCode() != 200 || !resp.body().contains("\"allowed\":true")) {
                throw new IllegalStateException("unexpected answer " + resp.statusCode() + " " + resp.body());
            }
        }
        return percentiles("http", nanos);
    }

    /** A minimal keep-alive HTTP/1.1 client, so that the client's own overhead is not what is measured. */
    static final class RawClient implements AutoCloseable {
        private final java.net.Socket socket;
        private final java.io.InputStream in;
        private final java.io.OutputStream out;

        RawClient(int port) throws IOException {
            socket = new java.net.Socket("localhost", port);
            socket.setTcpNoDelay(true);
            in = new java.io.BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        /** Sends a GET and returns the status and body. */
        String[] get(String target) throws IOException {
            out.write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TestServer.KEY
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String status = line();
            int length = 0;
            for (String h = line(); !h.isEmpty(); h = line()) {
                if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(h.substring(15).trim());
                }
            }
            return new String[] {status, new String(in.readNBytes(length), StandardCharsets.UTF_8)};
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new java.io.EOFException();
                }
                if (b != '\r') {
                    sb.append((char) b);
                }
            }
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static Result raw(RawClient raw, int customers, int requests, String feature, SplittableRandom random)
            throws IOException {
        long[] nanos = new long[requests];
        for (int i = 0; i < requests; i++) {
            String target = feature == null ? "/health/live"
                    : "/v1/customers/c" + random.nextInt(customers) + "/entitlements/" + feature;
            long t0 = System.nanoTime();
            String[] r = raw.get(target);
            nanos[i] = System.nanoTime() - t0;
            if (!r[0].contains(" 200 ") || feature != null && !r[1].contains("\"allowed\":true")) {
                throw new IllegalStateException("unexpected answer " + r[0] + " " + r[1]);
            }
        }
        return percentiles("raw", nanos);
    }

    private static Result percentiles(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Result(what, sorted.length, at(sorted, 0.50), at(sorted, 0.99), at(sorted, 0.999),
                sorted[sorted.length - 1] / 1000.0);
    }

    private static double at(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1000.0;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

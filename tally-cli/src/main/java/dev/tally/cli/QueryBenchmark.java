package dev.tally.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The usage-query benchmark: loads many events for one customer spread over
 * the current UTC month, then times sequential usage queries for that month
 * with daily windows and without windows, after a warm-up. It also checks that
 * both kinds of query add up to exactly the tokens that were sent.
 */
final class QueryBenchmark {
    static final String[] WINDOWS = {"day", "none"};

    record Settings(long events, int batch, int concurrency, int queries, int warmup, long seed, RetryPolicy retry,
            boolean progress) {
        Settings {
            if (events < 1 || batch < 1 || concurrency < 1 || queries < 1 || warmup < 0) {
                throw new IllegalArgumentException(
                        "--events, --batch, --concurrency and --queries must be positive, --warmup not negative");
            }
        }
    }

    /** Latencies per window kind (same order as {@link #WINDOWS}) and the totals each kind reported. */
    record Summary(BatchSender.Result ingest, String customer, List<LatencyStats> latencies, BigDecimal expectedTotal,
            List<BigDecimal> reportedTotals, long failedQueries, List<String> failures) {
        boolean consistent() {
            return ingest.failedBatches() == 0 && ingest.countsAddUp() && ingest.accepted() == ingest.sent()
                    && failedQueries == 0
                    && reportedTotals.stream().allMatch(t -> t != null && t.compareTo(expectedTotal) == 0);
        }
    }

    private QueryBenchmark() {
    }

    static Summary run(BenchTarget target, Settings s, Clock clock, PrintWriter out, PrintWriter err) {
        target.ensureBenchMeter(s.retry());
        Instant now = clock.instant();
        ZonedDateTime monthStart = now.atZone(ZoneOffset.UTC).withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS);
        Instant from = monthStart.toInstant();
        Instant to = monthStart.plusMonths(1).toInstant();
        String runId = Long.toString(BenchWorkload.mix(s.seed() ^ System.nanoTime()) >>> 24, 36);
        String customer = "bench-q-" + runId;
        err.printf("generating %s for customer %s between %s and now...%n", Format.count(s.events(), "event"),
                customer, from);
        err.flush();
        BenchWorkload workload = BenchWorkload.oneCustomer(s.events(), s.batch(), customer, from,
                now.minusSeconds(1), s.seed(), runId,
                new BenchWorkload.RequestHead(target.target("/v1/events"), target.hostHeader(), target.key()));
        BatchSender.Result ingest;
        try (ProgressBar bar = ProgressBar.start(err, "load", s.events(), s.progress())) {
            ingest = BatchSender.send(target.host(), target.port(), workload, s.concurrency(), s.retry(), bar);
        }
        out.printf("bench query: loaded %s for %s in %s s (%s events/s, %s accepted)%n",
                Format.count(ingest.sent(), "event"), customer, Format.seconds(ingest.wallNanos()),
                Format.count(Format.perSecond(ingest.sent(), ingest.wallNanos())), Format.count(ingest.accepted()));
        ingest.failures().forEach(f -> out.println("  failure: " + f));
        out.flush();

        byte[][] requests = new byte[WINDOWS.length][];
        for (int w = 0; w < WINDOWS.length; w++) {
            String query = "/v1/meters/bench_tokens/usage?customer=" + encode(customer) + "&from="
                    + encode(from.toString()) + "&to=" + encode(to.toString()) + "&window=" + WINDOWS[w];
            requests[w] = RawHttpConnection.request("GET", target.target(query), target.hostHeader(), target.key(),
                    null, null);
        }
        long failed = 0;
        List<String> failures = new ArrayList<>();
        List<LatencyStats> latencies = new ArrayList<>();
        List<BigDecimal> totals = new ArrayList<>();
        try (RawHttpConnection connection = new RawHttpConnection(target.host(), target.port(), 120_000);
                ProgressBar bar = ProgressBar.start(err, "query", (long) s.warmup() + 2L * s.queries(),
                        s.progress())) {
            for (int i = 0; i < s.warmup(); i++) {
                failed += timed(connection, requests[i % WINDOWS.length], failures, null);
                bar.add(1, 0);
            }
            for (int w = 0; w < WINDOWS.length; w++) {
                long[] nanos = new long[s.queries()];
                int measured = 0;
                byte[][] lastBody = new byte[1][];
                for (int i = 0; i < s.queries(); i++) {
                    long started = System.nanoTime();
                    long f = timed(connection, requests[w], failures, lastBody);
                    if (f == 0) {
                        nanos[measured++] = System.nanoTime() - started;
                    }
                    failed += f;
                    bar.add(1, 0);
                }
                latencies.add(LatencyStats.of(nanos, measured));
                totals.add(lastBody[0] == null ? null : total(lastBody[0], failures));
            }
        }
        BigDecimal expected = BigDecimal.valueOf(workload.totalTokens());
        Summary summary = new Summary(ingest, customer, latencies, expected, totals, failed, failures);
        for (int w = 0; w < WINDOWS.length; w++) {
            BigDecimal t = totals.get(w);
            out.printf("  window=%-5s %s  %s  total %s%s%n", WINDOWS[w],
                    Format.count(latencies.get(w).count(), "query", "queries"),
                    latencies.get(w).describe(), t == null ? "?" : t.toPlainString(),
                    t != null && t.compareTo(expected) == 0 ? " (= tokens sent)" : " (tokens sent: " + expected + ")");
        }
        if (failed > 0) {
            out.printf("  failed queries: %s%n", Format.count(failed));
        }
        failures.stream().limit(5).forEach(f -> out.println("  failure: " + f));
        out.println(summary.consistent() ? "  result: consistent" : "  result: INCONSISTENT");
        out.flush();
        return summary;
    }

    /** Sends one query; returns 1 if it failed (recording why), 0 if it got a 200. */
    private static long timed(RawHttpConnection connection, byte[] request, List<String> failures, byte[][] body) {
        try {
            RawResponse r = connection.exchange(request);
            if (r.status() != 200) {
                if (failures.size() < 5) {
                    failures.add("usage query: HTTP " + r.toApiResponse().problem());
                }
                return 1;
            }
            if (body != null) {
                body[0] = r.body();
            }
            return 0;
        } catch (IOException e) {
            if (failures.size() < 5) {
                failures.add("usage query: " + ApiClient.describe(e));
            }
            return 1;
        }
    }

    /** The sum of {@code rows[].value} of a usage response. */
    private static BigDecimal total(byte[] body, List<String> failures) {
        try {
            JsonNode rows = Jsons.MAPPER.readTree(body).path("rows");
            BigDecimal sum = BigDecimal.ZERO;
            for (JsonNode row : rows) {
                JsonNode value = row.path("value");
                sum = sum.add(value.isNumber() ? value.decimalValue() : new BigDecimal(value.asText()));
            }
            return sum;
        } catch (IOException | NumberFormatException e) {
            failures.add("usage response is not the fixed shape: " + e.getMessage());
            return null;
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}

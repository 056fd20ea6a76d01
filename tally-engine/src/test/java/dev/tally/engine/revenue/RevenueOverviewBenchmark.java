package dev.tally.engine.revenue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The dashboard's revenue overview at 100,000 customers on the embedded store: the rollup ({@link OpenRevenue}) against
 * the per-customer computation it replaces ({@link RevenueReference}, what {@code GET /v1/stats} ran before), on
 * the same engine and data; the cost of computing every customer once (the start of a process), and of a refresh per
 * changed customer after ingest. A program, not a timed unit test; arguments: customers, events per customer,
 * customers with an invoice (an in-advance fee billed at the start), changed customers, timed runs of the old path. The rollup's answer is
 * checked to equal the reference before timing.
 */
public final class RevenueOverviewBenchmark {
    static final String T = Engine.DEFAULT_TENANT;
    static final Instant START = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant NOW = Instant.parse("2026-11-21T00:00:00Z");

    private RevenueOverviewBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int customers = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int perCustomer = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int invoiced = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        int changed = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
        int oldRuns = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        ObjectMapper json = Json.newMapper();
        ManualClock clock = new ManualClock(START);
        Path dir = Files.createTempDirectory("revenue-bench");
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            long t0 = System.nanoTime();
            e.createMeter(T, json.readTree("{\"key\":\"tokens\",\"event_type\":\"tok\",\"aggregation\":\"sum\","
                    + "\"value_path\":\"n\"}"));
            e.billing().createPlan(T, json.readTree("""
                    {"key":"usage","currency":"USD","interval":"monthly","charges":[
                     {"key":"tokens","type":"usage","name":"Tokens","meter":"tokens","price":{"model":"unit","unit_price":"0.013"}},
                     {"key":"base","type":"flat","name":"Base","amount":"20","timing":"in_arrears"}]}"""));
            e.billing().createPlan(T, json.readTree("""
                    {"key":"seat","currency":"USD","interval":"monthly","charges":[
                     {"key":"base","type":"flat","name":"Base","amount":"49","timing":"in_advance"},
                     {"key":"tokens","type":"usage","name":"Tokens","meter":"tokens","price":{"model":"unit","unit_price":"0.01"}}]}"""));
            for (int from = 0; from < customers; from += 1000) {
                int lo = from;
                e.billing().inOneTransaction(() -> {
                    for (int i = lo; i < Math.min(customers, lo + 1000); i++) {
                        try {
                            e.billing().createCustomer(T, json.readTree("{\"external_id\":\"c" + i
                                    + "\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
                            e.billing().subscribe(T, json.readTree("{\"customer\":\"c" + i + "\",\"plan\":\""
                                    + (i < invoiced ? "seat" : "usage") + "\",\"start\":\"" + START + "\"}"));
                        } catch (java.io.IOException x) {
                            throw new java.io.UncheckedIOException(x);
                        }
                    }
                });
            }
            System.out.printf("%,d customers and subscriptions in %.1f s%n", customers, (System.nanoTime() - t0) / 1e9);
            clock.set(START.plus(Duration.ofHours(2)));
            t0 = System.nanoTime();
            e.billing().run(T); // the opening invoices of the in-advance fee: drafts
            clock.set(START.plus(Duration.ofHours(4)));
            e.billing().run(T); // past their grace hour: finalized
            System.out.printf("billing run (%,d opening invoices) in %.1f s%n", invoiced, (System.nanoTime() - t0) / 1e9);
            clock.set(NOW);
            SplittableRandom random = new SplittableRandom(42);
            t0 = System.nanoTime();
            int id = 0;
            long span = Duration.between(START, NOW).getSeconds();
            for (int round = 0; round < perCustomer; round++) {
                StringBuilder batch = new StringBuilder("[");
                for (int i = 0; i < customers; i++) {
                    if (batch.length() > 1) {
                        batch.append(',');
                    }
                    batch.append("{\"specversion\":\"1.0\",\"id\":\"e").append(id++).append("\",\"source\":\"s\",")
                            .append("\"type\":\"tok\",\"subject\":\"c").append(i).append("\",\"time\":\"")
                            .append(START.plusSeconds(random.nextLong(span))).append("\",\"data\":{\"n\":")
                            .append(1 + random.nextInt(5000)).append("}}");
                    if ((i + 1) % 1000 == 0 || i == customers - 1) {
                        batch.append(']');
                        e.ingest(T, e.eventReader().read(batch.toString().getBytes(StandardCharsets.UTF_8),
                                CloudEventReader.BodyShape.BATCH));
                        batch.setLength(1);
                    }
                }
            }
            System.out.printf("%,d events ingested in %.1f s%n", id, (System.nanoTime() - t0) / 1e9);
            e.alerts().evaluate(); // drains the changed-customer queue: the rollup marks them

            // the engine's own scheduled runs computed some already (250 ms a second): time what is left
            int pending = e.revenue().backlog();
            t0 = System.nanoTime();
            e.revenue().refreshAll();
            double all = (System.nanoTime() - t0) / 1e9;
            System.out.printf("full refresh of the %,d customers still marked (every customer computed once is what a "
                    + "start costs): %.1f s, %.3f ms per customer%n", pending, all, all * 1000 / pending);

            Instant from = START;
            Instant to = Instant.parse("2026-12-01T00:00:00Z");
            List<CurrencyRevenue> reference = RevenueReference.of(e.billing(), T, from, to);
            List<CurrencyRevenue> rollup = e.revenue().overview(T, from, to).currencies();
            if (!reference.equals(rollup)) {
                throw new AssertionError("the rollup " + rollup + " differs from the reference " + reference);
            }
            System.out.println("rollup = reference: " + rollup);

            long[] roll = time(500, 5000, 10, () -> e.revenue().overview(T, from, to));
            long[] old = time(0, oldRuns, 1, () -> RevenueReference.of(e.billing(), T, from, to));
            System.out.printf("| stats revenue (%,d customers) | p50 | p99 | max | queries timed |%n", customers);
            System.out.println("| --- | --- | --- | --- | --- |");
            System.out.printf("| per customer (before: every invoice listed, currentUsage per customer) | %s | %s | %s | %d |%n",
                    ms(old, 50), ms(old, 99), ms(old, 100), old.length);
            System.out.printf("| rollup (OpenRevenue.overview) | %s | %s | %s | %d |%n", ms(roll, 50), ms(roll, 99),
                    ms(roll, 100), roll.length);

            // a refresh per changed customer: one event each for `changed` customers
            clock.advance(Duration.ofMinutes(1));
            StringBuilder batch = new StringBuilder("[");
            for (int i = 0; i < changed; i++) {
                if (batch.length() > 1) {
                    batch.append(',');
                }
                batch.append("{\"specversion\":\"1.0\",\"id\":\"x").append(i).append("\",\"source\":\"s\",")
                        .append("\"type\":\"tok\",\"subject\":\"c").append(random.nextInt(customers))
                        .append("\",\"time\":\"").append(NOW).append("\",\"data\":{\"n\":7}}");
                if ((i + 1) % 1000 == 0 || i == changed - 1) {
                    batch.append(']');
                    e.ingest(T, e.eventReader().read(batch.toString().getBytes(StandardCharsets.UTF_8),
                            CloudEventReader.BodyShape.BATCH));
                    batch.setLength(1);
                }
            }
            e.alerts().evaluate();
            int marked = e.revenue().backlog();
            t0 = System.nanoTime();
            e.revenue().refresh(); // one scheduled run: at most RUN_BUDGET
            long oneRun = System.nanoTime() - t0;
            int leftAfterOne = e.revenue().backlog();
            t0 = System.nanoTime();
            e.revenue().refreshAll();
            long rest = System.nanoTime() - t0;
            System.out.printf("%,d changed customers marked; one scheduled run (%d ms budget) took %.0f ms and "
                    + "recomputed %,d; the rest in %.0f ms: %.3f ms per changed customer%n", marked,
                    OpenRevenue.RUN_BUDGET.toMillis(), oneRun / 1e6, marked - leftAfterOne, rest / 1e6,
                    (oneRun + rest) / 1e6 / marked);
            if (!RevenueReference.of(e.billing(), T, from, to).equals(e.revenue().overview(T, from, to).currencies())) {
                throw new AssertionError("the rollup differs from the reference after the changes");
            }
            System.out.println("rollup = reference after the changes");
        }
    }

    /** Timings of up to {@code runs} calls after the warm-up, stopping early after {@code budgetSeconds}. */
    private static long[] time(int warmup, int runs, int budgetSeconds, Runnable query) {
        for (int i = 0; i < warmup; i++) {
            query.run();
        }
        long[] t = new long[runs];
        long stop = System.nanoTime() + budgetSeconds * 1_000_000_000L;
        int done = 0;
        while (done < runs && (done < Math.min(runs, 3) || System.nanoTime() < stop)) {
            long t0 = System.nanoTime();
            query.run();
            t[done++] = System.nanoTime() - t0;
        }
        t = Arrays.copyOf(t, done);
        Arrays.sort(t);
        return t;
    }

    private static String ms(long[] sorted, int percentile) {
        int i = Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1);
        return String.format("%.2f ms", sorted[Math.max(0, i)] / 1e6);
    }
}

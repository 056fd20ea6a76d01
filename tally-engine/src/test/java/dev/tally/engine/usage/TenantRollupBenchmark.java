package dev.tally.engine.usage;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.aggregate.Aggregation;
import dev.tally.core.aggregate.TimeUnitOfMeasure;
import dev.tally.core.event.UsageEvent;
import dev.tally.core.meter.Contribution;
import dev.tally.core.meter.DataPath;
import dev.tally.core.meter.Meter;
import dev.tally.core.meter.MeterCatalog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Whole-tenant usage queries at 100,000 customers, fan-out over customers (the code path of main) against the
 * tenant rollup, in one JVM on the same data; and {@link UsageStore#apply} throughput with and without
 * maintaining the rollups. A program (not a timed unit test); arguments: customers, events per customer, ingest rounds.
 * Every rollup answer is checked to equal the fan-out's before timing.
 */
public final class TenantRollupBenchmark {
    static final String TENANT = "bench";
    static final Instant MONTH = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant NOW = Instant.parse("2026-11-21T00:00:00Z");

    private TenantRollupBenchmark() {
    }

    public static void main(String[] args) {
        int customers = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int perCustomer = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Meter tokens = new Meter("tokens", 1, "tokens", "llm", Aggregation.SUM, Optional.of(DataPath.parse("tokens")),
                Optional.empty(), List.of(), List.of(DataPath.parse("model")), TimeUnitOfMeasure.HOUR, Instant.EPOCH);
        Meter calls = new Meter("calls", 1, "calls", "llm", Aggregation.COUNT, Optional.empty(), Optional.empty(),
                List.of(), List.of(DataPath.parse("model")), TimeUnitOfMeasure.HOUR, Instant.EPOCH);
        MeterCatalog catalog = new MeterCatalog(1, List.of(tokens, calls));
        int n = customers * perCustomer;
        UsageEvent[] events = new UsageEvent[n];
        List<List<Contribution>> contributions = new ArrayList<>(n);
        SplittableRandom random = new SplittableRandom(42);
        String[] models = {"small", "medium", "large"};
        long seconds = Duration.between(MONTH, NOW).getSeconds();
        // events arrive in time order (as live traffic does), customers interleaved
        long[] times = new long[n];
        for (int i = 0; i < n; i++) {
            times[i] = random.nextLong(seconds);
        }
        Arrays.sort(times);
        for (int i = 0; i < n; i++) {
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            data.put("tokens", 1 + random.nextInt(1000));
            data.put("model", models[random.nextInt(3)]);
            events[i] = new UsageEvent("bench", "e" + i, "llm", "c" + (i % customers),
                    MONTH.plusSeconds(times[i]), data);
            contributions.add(catalog.contributionsLenient(events[i]));
        }
        EventReader reader = p -> events[(int) p];
        System.out.printf("%,d customers, %,d events (%d per customer) over %s .. %s, 2 meters grouped by model%n",
                customers, n, perCustomer, MONTH, NOW);

        UsageStore store = null;
        for (int round = 1; round <= rounds; round++) {
            for (boolean rollups : new boolean[] {false, true}) {
                System.gc();
                UsageStore s = new UsageStore(Clock.fixed(NOW, ZoneOffset.UTC), rollups);
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    s.apply(TENANT, events[i], contributions.get(i), i);
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf("round %d: UsageStore.apply, rollups %-3s: %,.0f events/s%n", round,
                        rollups ? "on" : "off", n / secs);
                if (rollups) {
                    store = s;
                }
            }
        }

        Map<String, UsageRequest> asks = new java.util.LinkedHashMap<>();
        asks.put("tokens, month so far, window=none", new UsageRequest("tokens", Optional.empty(), MONTH,
                MONTH.plus(Duration.ofDays(30)), Window.NONE, ZoneOffset.UTC, List.of(), Map.of()));
        asks.put("tokens, window=day, group_by=model", new UsageRequest("tokens", Optional.empty(), MONTH,
                MONTH.plus(Duration.ofDays(30)), Window.DAY, ZoneOffset.UTC, List.of("model"), Map.of()));
        asks.put("calls, last 7 days, window=hour", new UsageRequest("calls", Optional.empty(),
                NOW.minus(Duration.ofDays(7)), NOW, Window.HOUR, ZoneOffset.UTC, List.of(), Map.of()));
        asks.put("tokens, Nov 3 10:17:23 .. Nov 18 15:42:10, window=none (2 partial hours)", new UsageRequest(
                "tokens", Optional.empty(), Instant.parse("2026-11-03T10:17:23Z"),
                Instant.parse("2026-11-18T15:42:10Z"), Window.NONE, ZoneOffset.UTC, List.of(), Map.of()));
        System.out.println("| query | fan-out p50 | fan-out p99 | rollup p50 | rollup p99 | rollup max | queries timed |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
        for (Map.Entry<String, UsageRequest> a : asks.entrySet()) {
            UsageStore s = store;
            UsageRequest r = a.getValue();
            List<UsageRow> expected = s.queryByFanOut(TENANT, catalog, r, reader);
            List<UsageRow> got = s.query(TENANT, catalog, r, reader);
            if (!expected.equals(got)) {
                throw new AssertionError("rollup differs from fan-out for " + a.getKey());
            }
            long[] fan = time(1, 20, 6, () -> s.queryByFanOut(TENANT, catalog, r, reader));
            long[] roll = time(200, 3000, 5, () -> s.query(TENANT, catalog, r, reader));
            System.out.printf("| %s | %s | %s | %s | %s | %s | %d / %d |%n", a.getKey(), ms(fan, 50), ms(fan, 99),
                    ms(roll, 50), ms(roll, 99), ms(roll, 100), fan.length, roll.length);
        }
    }

    /** Timings of up to {@code runs} queries after the warm-up, stopping early after {@code budgetSeconds}. */
    private static long[] time(int warmup, int runs, int budgetSeconds, Runnable query) {
        for (int i = 0; i < warmup; i++) {
            query.run();
        }
        long[] t = new long[runs];
        long stop = System.nanoTime() + budgetSeconds * 1_000_000_000L;
        int done = 0;
        while (done < runs && (done < 5 || System.nanoTime() < stop)) {
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

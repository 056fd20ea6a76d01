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
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Persistent counts (seats) with a year of history: {@link UsageStore#apply} throughput, then the latency of one
 * customer's month question (an invoice's) with the customer's timelines warm, and cold (the first question after a
 * restart or a cancel, which folds every hourly bucket), and a whole-tenant month question. A program, not a timed
 * unit test; arguments: customers, seat operations per customer.
 */
public final class PersistentCountBenchmark {
    static final String TENANT = "bench";
    static final Instant YEAR = Instant.parse("2026-01-01T00:00:00Z");
    static final Instant DEC = Instant.parse("2026-12-01T00:00:00Z");
    static final Instant JAN = Instant.parse("2027-01-01T00:00:00Z");

    private PersistentCountBenchmark() {
    }

    public static void main(String[] args) {
        int customers = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int perCustomer = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Meter seats = new Meter("seats", 1, "seats", "seat", Aggregation.PERSISTENT_COUNT,
                Optional.of(DataPath.parse("user")), Optional.empty(), List.of(), List.of(), TimeUnitOfMeasure.HOUR,
                Instant.EPOCH);
        MeterCatalog catalog = new MeterCatalog(1, List.of(seats));
        int n = customers * perCustomer;
        UsageEvent[] events = new UsageEvent[n];
        List<List<Contribution>> contributions = new ArrayList<>(n);
        SplittableRandom random = new SplittableRandom(7);
        long[] times = new long[n];
        long seconds = Duration.between(YEAR, JAN).getSeconds();
        for (int i = 0; i < n; i++) {
            times[i] = random.nextLong(seconds);
        }
        Arrays.sort(times);
        for (int i = 0; i < n; i++) {
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            // about 50 users per customer, two adds for each remove
            data.put("user", "u" + random.nextInt(50));
            data.put("operation_type", random.nextInt(3) == 0 ? "remove" : "add");
            events[i] = new UsageEvent("bench", "e" + i, "seat", "c" + (i % customers), YEAR.plusSeconds(times[i]), data);
            contributions.add(catalog.contributionsLenient(events[i]));
        }
        EventReader reader = p -> events[(int) p];
        System.out.printf("%,d customers, %,d seat operations (%d per customer) over 2026%n", customers, n, perCustomer);
        UsageStore store = new UsageStore(Clock.fixed(JAN, ZoneOffset.UTC));
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            store.apply(TENANT, events[i], contributions.get(i), i);
        }
        System.out.printf("UsageStore.apply: %,.0f events/s%n", n / ((System.nanoTime() - t0) / 1e9));

        ZoneId zone = ZoneId.of("America/New_York");
        long[] cold = new long[Math.min(customers, 2000)];
        for (int c = 0; c < cold.length; c++) {
            UsageRequest r = month("c" + c, zone);
            long s = System.nanoTime();
            store.query(TENANT, catalog, r, reader);
            cold[c] = System.nanoTime() - s;
        }
        long[] warm = new long[cold.length];
        for (int round = 0; round < 3; round++) {
            for (int c = 0; c < warm.length; c++) {
                UsageRequest r = month("c" + c, zone);
                long s = System.nanoTime();
                store.query(TENANT, catalog, r, reader);
                warm[c] = System.nanoTime() - s;
            }
        }
        Arrays.sort(cold);
        Arrays.sort(warm);
        System.out.printf("one customer's December, prorated by day: cold p50 %.3f ms p99 %.3f ms; warm p50 %.3f ms p99 %.3f ms%n",
                pct(cold, 50), pct(cold, 99), pct(warm, 50), pct(warm, 99));
        long s = System.nanoTime();
        store.query(TENANT, catalog, new UsageRequest("seats", Optional.empty(), DEC, JAN, Window.NONE, zone, List.of(),
                Map.of()), reader);
        System.out.printf("whole tenant's December (every customer): %.1f ms%n", (System.nanoTime() - s) / 1e6);
    }

    private static UsageRequest month(String customer, ZoneId zone) {
        return new UsageRequest("seats", Optional.of(customer), DEC, JAN, Window.NONE, zone, List.of(), Map.of());
    }

    private static double pct(long[] sorted, int p) {
        int i = Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1));
        return sorted[i] / 1e6;
    }
}

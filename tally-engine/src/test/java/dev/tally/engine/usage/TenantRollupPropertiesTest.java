package dev.tally.engine.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.aggregate.Aggregation;
import dev.tally.core.aggregate.TimeUnitOfMeasure;
import dev.tally.core.event.UsageEvent;
import dev.tally.core.meter.DataPath;
import dev.tally.core.meter.Meter;
import dev.tally.core.meter.MeterCatalog;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The rollup answers every whole-tenant question exactly as the fan-out over customers does: for random
 * histories, every aggregation but the time-weighted sum (which is never answered from the rollup), every
 * window, time zones with whole, half and quarter hour offsets and DST, ranges aligned or not, group-by and
 * filters; after cancels, events arriving in cancelled hours, a checkpoint round trip and a meter rebuild.
 */
class TenantRollupPropertiesTest {
    static final String TENANT = "t1";
    static final Instant BASE = Instant.parse("2026-03-28T20:00:00Z"); // spans Europe's DST change
    static final List<ZoneId> ZONES = List.of(ZoneOffset.UTC, ZoneId.of("Europe/Berlin"), ZoneId.of("Asia/Kolkata"),
            ZoneId.of("America/St_Johns"), ZoneId.of("Australia/Eucla"));
    static final List<Aggregation> AGGREGATIONS = List.of(Aggregation.SUM, Aggregation.COUNT, Aggregation.AVG,
            Aggregation.MAX, Aggregation.MIN, Aggregation.LATEST, Aggregation.UNIQUE_COUNT);
    static final MeterCatalog CATALOG = catalog();

    record Ev(int customer, int minute, int second, Optional<String> model, String region, int value, int user) {
    }

    record Ask(String meter, Window window, ZoneId zone, int fromMinute, int lengthMinutes, List<String> groupBy,
            Optional<String> filterModel) {
    }

    static MeterCatalog catalog() {
        List<Meter> meters = new ArrayList<>();
        for (Aggregation a : AGGREGATIONS) {
            Optional<DataPath> path = switch (a) {
                case COUNT -> Optional.empty();
                case UNIQUE_COUNT -> Optional.of(DataPath.parse("user"));
                default -> Optional.of(DataPath.parse("v"));
            };
            meters.add(new Meter(a.wireName(), 1, a.wireName(), "call", a, path, Optional.empty(), List.of(),
                    List.of(DataPath.parse("model"), DataPath.parse("region")), TimeUnitOfMeasure.HOUR, Instant.EPOCH));
        }
        // a second version of sum from a point inside the histories, its dimensions in another order
        Meter sum = meters.get(0);
        meters.add(new Meter(sum.key(), 2, sum.name(), "call", Aggregation.SUM, sum.valuePath(), Optional.empty(),
                List.of(), List.of(DataPath.parse("region"), DataPath.parse("model")), TimeUnitOfMeasure.HOUR, BASE.plus(Duration.ofHours(30))));
        return new MeterCatalog(1, meters);
    }

    @Provide
    Arbitrary<Ev> events() {
        return Combinators.combine(Arbitraries.integers().between(0, 7), Arbitraries.integers().between(0, 3 * 24 * 60),
                Arbitraries.integers().between(0, 59), Arbitraries.of("a", "b", "").map(s -> s.isEmpty()
                        ? Optional.<String>empty() : Optional.of(s)), Arbitraries.of("eu", "us"),
                Arbitraries.integers().between(-5, 100), Arbitraries.integers().between(0, 6)).as(Ev::new);
    }

    @Provide
    Arbitrary<Ask> asks() {
        return Combinators.combine(Arbitraries.of(AGGREGATIONS).map(Aggregation::wireName),
                Arbitraries.of(Window.values()), Arbitraries.of(ZONES),
                Arbitraries.oneOf(Arbitraries.integers().between(-120, 3 * 24 * 60), Arbitraries.integers().between(0, 72).map(h -> h * 60)),
                Arbitraries.oneOf(Arbitraries.integers().between(1, 4 * 24 * 60), Arbitraries.integers().between(1, 96).map(h -> h * 60)),
                Arbitraries.of(List.<String>of(), List.of("model"), List.of("region"), List.of("region", "model")),
                Arbitraries.of(Optional.<String>empty(), Optional.of("a"))).as(Ask::new);
    }

    static UsageEvent event(int i, Ev ev) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("v", ev.value());
        data.put("user", "u" + ev.user());
        data.put("region", ev.region());
        ev.model().ifPresent(m -> data.put("model", m));
        return new UsageEvent("src", "e" + i, "call", "c" + ev.customer(),
                BASE.plus(Duration.ofMinutes(ev.minute())).plusSeconds(ev.second()), data);
    }

    static UsageRequest request(Ask a) {
        Instant from = BASE.plus(Duration.ofMinutes(a.fromMinute()));
        return new UsageRequest(a.meter(), Optional.empty(), from, from.plus(Duration.ofMinutes(a.lengthMinutes())),
                a.window(), a.zone(), a.groupBy(),
                a.filterModel().map(m -> Map.of("model", Set.of(m))).orElse(Map.of()));
    }

    /** A store fed from an in-memory log. */
    static final class Fixture implements EventReader {
        final UsageStore store = new UsageStore(Clock.fixed(BASE.plus(Duration.ofDays(5)), ZoneOffset.UTC));
        final Map<Long, UsageEvent> log = new HashMap<>();

        void ingest(int from, List<Ev> evs) {
            for (int i = from; i < evs.size(); i++) {
                UsageEvent e = event(i, evs.get(i));
                log.put((long) i, e);
                store.apply(TENANT, e, CATALOG.contributionsLenient(e), i);
            }
        }

        void cancel(long position) {
            if (log.containsKey(position) && !store.isCancelled(position)) {
                store.cancel(TENANT, log.get(position), position, CATALOG, this);
            }
        }

        @Override
        public UsageEvent read(long position) {
            return log.get(position);
        }

        List<UsageRow> rollup(UsageStore s, Ask a) {
            return s.query(TENANT, CATALOG, request(a), this);
        }

        List<UsageRow> fanOut(UsageStore s, Ask a) {
            return s.queryByFanOut(TENANT, CATALOG, request(a), this);
        }

        void assertSame(UsageStore s, List<Ask> asks) {
            for (Ask a : asks) {
                assertThat(rollup(s, a)).as("%s", a).isEqualTo(fanOut(s, a));
            }
        }
    }

    @Property(tries = 200)
    void rollupAnswersEqualTheFanOutOverCustomers(@ForAll @Size(max = 80) List<@From("events") Ev> evs,
            @ForAll @Size(max = 12) List<@net.jqwik.api.constraints.IntRange(min = 0, max = 79) Integer> cancels,
            @ForAll @Size(min = 1, max = 6) List<@From("asks") Ask> asks) throws IOException {
        Fixture f = new Fixture();
        int half = evs.size() / 2;
        f.ingest(0, evs.subList(0, half));
        f.assertSame(f.store, asks);

        List<Integer> firstCancels = cancels.subList(0, cancels.size() / 2);
        firstCancels.forEach(p -> f.cancel(p));
        // events arriving in hours made stale by a cancel, before those hours are read again
        for (int i = half; i < evs.size(); i++) {
            UsageEvent e = event(i, evs.get(i));
            f.log.put((long) i, e);
            f.store.apply(TENANT, e, CATALOG.contributionsLenient(e), i);
        }
        f.assertSame(f.store, asks);
        cancels.subList(cancels.size() / 2, cancels.size()).forEach(p -> f.cancel(p));
        f.assertSame(f.store, asks);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        f.store.writeTo(new DataOutputStream(bytes));
        UsageStore restored = new UsageStore(Clock.fixed(BASE, ZoneOffset.UTC));
        restored.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        for (Ask a : asks) {
            assertThat(f.rollup(restored, a)).as("restored %s", a).isEqualTo(f.fanOut(f.store, a));
        }
        f.cancel(evs.isEmpty() ? 0 : evs.size() - 1);

        // a meter rebuilt from the log as LogScans does: clear, then the contributions of what still counts
        for (Aggregation agg : AGGREGATIONS) {
            f.store.clearMeter(TENANT, agg.wireName());
            for (Map.Entry<Long, UsageEvent> e : f.log.entrySet()) {
                if (!f.store.isCancelled(e.getKey())) {
                    CATALOG.contributionFor(agg.wireName(), e.getValue())
                            .ifPresent(c -> f.store.applyContributions(TENANT, e.getValue(), List.of(c)));
                }
            }
        }
        f.assertSame(f.store, asks);
    }

    @Example
    void answersTheSumOverCustomersAndForgetsACancelledEvent() {
        Fixture f = new Fixture();
        List<Ev> evs = List.of(new Ev(0, 10, 0, Optional.of("a"), "eu", 5, 1),
                new Ev(1, 70, 0, Optional.of("b"), "eu", 7, 1), new Ev(2, 75, 30, Optional.of("a"), "us", 11, 2));
        f.ingest(0, evs);
        Ask month = new Ask("sum", Window.NONE, ZoneOffset.UTC, 0, 24 * 60, List.of(), Optional.empty());
        Ask maxUnaligned = new Ask("max", Window.NONE, ZoneId.of("Asia/Kolkata"), 5, 70, List.of(), Optional.empty());
        Ask users = new Ask("unique_count", Window.HOUR, ZoneOffset.UTC, 0, 24 * 60, List.of(), Optional.empty());
        assertThat(f.rollup(f.store, month)).singleElement().satisfies(r -> {
            assertThat(r.value()).isEqualByComparingTo("23");
            assertThat(r.events()).isEqualTo(3);
        });
        assertThat(f.rollup(f.store, maxUnaligned)).singleElement()
                .satisfies(r -> assertThat(r.value()).isEqualByComparingTo("7"));
        assertThat(f.rollup(f.store, users)).extracting(UsageRow::value)
                .containsExactly(BigDecimal.ONE, BigDecimal.valueOf(2));

        f.cancel(2);
        assertThat(f.rollup(f.store, month)).singleElement()
                .satisfies(r -> assertThat(r.value()).isEqualByComparingTo("12"));
        assertThat(f.rollup(f.store, users)).extracting(UsageRow::value)
                .containsExactly(BigDecimal.ONE, BigDecimal.ONE);
        f.cancel(1);
        assertThat(f.rollup(f.store, maxUnaligned)).singleElement()
                .satisfies(r -> assertThat(r.value()).isEqualByComparingTo("5"));
        f.cancel(0);
        assertThat(f.rollup(f.store, maxUnaligned)).singleElement().satisfies(r -> {
            assertThat(r.value()).isEqualByComparingTo("0");
            assertThat(r.events()).isZero();
        });
    }
}

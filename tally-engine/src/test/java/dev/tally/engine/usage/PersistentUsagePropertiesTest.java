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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A persistent count's per-customer timelines, kept up to date on ingest once a query has built them, always
 * answer as a store that saw only the events that still count, in event-time order, with no query in between:
 * whatever the arrival order, the queries interleaved with ingest, the cancels, the windows and time zones.
 */
class PersistentUsagePropertiesTest {
    static final String TENANT = "t1";
    static final Instant BASE = Instant.parse("2026-10-25T00:00:00Z");
    static final List<ZoneId> ZONES = List.of(ZoneOffset.UTC, ZoneId.of("America/New_York"), ZoneId.of("Asia/Kolkata"));
    static final Meter SEATS = new Meter("seats", 1, "seats", "seat", Aggregation.PERSISTENT_COUNT,
            Optional.of(DataPath.parse("user")), Optional.empty(), List.of(), List.of(DataPath.parse("team")),
            TimeUnitOfMeasure.HOUR, Instant.EPOCH);
    static final MeterCatalog CATALOG = new MeterCatalog(1, List.of(SEATS));

    record Ev(int customer, int minute, String user, boolean add, String team, boolean cancelled) {
    }

    @Provide
    Arbitrary<List<Ev>> histories() {
        return Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 30 * 1440),
                Arbitraries.of("a", "b", "c"), Arbitraries.of(true, true, false), Arbitraries.of("red", "blue"),
                Arbitraries.of(false, false, false, true)).as(Ev::new).list().ofMaxSize(40);
    }

    static UsageEvent event(int i, Ev e) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("user", e.user());
        data.put("team", e.team());
        data.put("operation_type", e.add() ? "add" : "remove");
        return new UsageEvent("s", "e" + i, "seat", "c" + e.customer(), BASE.plus(Duration.ofMinutes(e.minute())), data);
    }

    static List<UsageRow> ask(UsageStore s, UsageEvent[] events, Optional<String> customer, Window w, ZoneId zone,
            List<String> groupBy) {
        return s.query(TENANT, CATALOG, new UsageRequest("seats", customer, BASE, BASE.plus(Duration.ofDays(40)), w,
                zone, groupBy, Map.of()), p -> events[(int) p]);
    }

    @Property(tries = 150)
    void timelinesKeptOnIngestAnswerAsAFreshStore(@ForAll("histories") List<Ev> history, @ForAll long seed) {
        UsageEvent[] events = new UsageEvent[history.size()];
        for (int i = 0; i < history.size(); i++) {
            events[i] = event(i, history.get(i));
        }
        Random random = new Random(seed);
        ZoneId zone = ZONES.get(random.nextInt(ZONES.size()));
        List<Integer> arrival = new ArrayList<>();
        for (int i = 0; i < events.length; i++) {
            arrival.add(i);
        }
        Collections.shuffle(arrival, random);
        UsageStore live = new UsageStore(Clock.fixed(BASE, ZoneOffset.UTC));
        Set<Integer> stored = new HashSet<>();
        for (int i : arrival) {
            live.apply(TENANT, events[i], CATALOG.contributionsLenient(events[i]), i);
            stored.add(i);
            if (random.nextInt(4) == 0) {
                ask(live, events, Optional.of("c" + random.nextInt(3)), Window.DAY, zone, List.of());
            }
            if (random.nextInt(3) == 0) {
                for (int c : stored) {
                    if (history.get(c).cancelled() && !live.isCancelled(c)) {
                        live.cancel(TENANT, events[c], c, CATALOG, p -> events[(int) p]);
                        break;
                    }
                }
            }
        }
        for (int i = 0; i < events.length; i++) {
            if (history.get(i).cancelled() && !live.isCancelled(i)) {
                live.cancel(TENANT, events[i], i, CATALOG, p -> events[(int) p]);
            }
        }
        UsageStore fresh = new UsageStore(Clock.fixed(BASE, ZoneOffset.UTC));
        for (int i = 0; i < events.length; i++) {
            if (!history.get(i).cancelled()) {
                fresh.apply(TENANT, events[i], CATALOG.contributionsLenient(events[i]), i);
            }
        }
        // and both are the day-weighted sum of the customer's active units, per team, from the events that count
        for (int c = 0; c < 3; c++) {
            java.math.BigDecimal expected = java.math.BigDecimal.ZERO;
            for (String team : List.of("red", "blue")) {
                dev.tally.core.aggregate.UnitTimeline t = new dev.tally.core.aggregate.UnitTimeline();
                for (int i = 0; i < events.length; i++) {
                    Ev e = history.get(i);
                    if (!e.cancelled() && e.customer() == c && e.team().equals(team)) {
                        t.add(new dev.tally.core.aggregate.UnitTimeline.Operation(events[i].time(), events[i].tieBreak(),
                                e.user(), e.add()));
                    }
                }
                expected = expected.add(t.value(BASE, BASE.plus(Duration.ofDays(40)), zone,
                        dev.tally.core.aggregate.PersistentMeasure.PRORATED_BY_DAY));
            }
            List<UsageRow> rows = ask(live, events, Optional.of("c" + c), Window.NONE, zone, List.of());
            assertThat(rows).hasSize(1);
            assertThat(rows.get(0).value()).isEqualByComparingTo(expected);
        }
        for (Window w : List.of(Window.DAY, Window.MONTH, Window.NONE)) {
            for (List<String> groupBy : List.of(List.<String>of(), List.of("team"))) {
                for (Optional<String> customer : List.of(Optional.<String>empty(), Optional.of("c0"), Optional.of("c1"))) {
                    assertThat(ask(live, events, customer, w, zone, groupBy))
                            .as("%s %s %s", w, groupBy, customer)
                            .isEqualTo(ask(fresh, events, customer, w, zone, groupBy));
                }
            }
        }
    }
}

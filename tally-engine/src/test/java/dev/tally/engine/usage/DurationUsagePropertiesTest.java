package dev.tally.engine.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.aggregate.Aggregation;
import dev.tally.core.aggregate.TimeUnitOfMeasure;
import dev.tally.core.duration.DurationCoverage;
import dev.tally.core.duration.Mark;
import dev.tally.core.duration.MarkKind;
import dev.tally.core.event.UsageEvent;
import dev.tally.core.meter.Contribution;
import dev.tally.core.meter.DataPath;
import dev.tally.core.meter.DurationSpec;
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
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * A duration meter in the live usage store is exact in any window: for random sessions of three customers over
 * three days (crossing Europe's DST change), two meter versions with different timeouts, and "now" inside the
 * histories, the windows of any question (hour, day, month; UTC and zones with half and quarter hour offsets;
 * aligned or not) add up to the whole range, the whole range equals the intervals computed directly from the events,
 * and neither the arrival order, nor cancels (a store that never saw the cancelled events), nor a checkpoint round
 * trip changes an answer.
 */
class DurationUsagePropertiesTest {
    static final String TENANT = "t1";
    static final Instant BASE = Instant.parse("2026-03-28T20:00:00Z");
    static final Instant V2_FROM = BASE.plus(Duration.ofHours(30));
    static final Instant NOW = BASE.plus(Duration.ofHours(60));
    static final List<ZoneId> ZONES = List.of(ZoneOffset.UTC, ZoneId.of("Europe/Berlin"), ZoneId.of("Asia/Kolkata"),
            ZoneId.of("America/St_Johns"), ZoneId.of("Australia/Eucla"));
    static final MeterCatalog CATALOG = catalog();

    record Ev(int customer, int minute, int second, String session, String action, String region) {
    }

    record Ask(Window window, ZoneId zone, int fromMinute, int lengthMinutes, boolean byRegion) {
    }

    static Meter version(int v, Instant from, Duration timeout) {
        return new Meter("sessions", v, "Sessions", "session", Aggregation.DURATION, Optional.empty(), Optional.empty(),
                List.of(), List.of(DataPath.parse("region")), TimeUnitOfMeasure.SECOND, from, Optional.empty(),
                Optional.empty(), Optional.of(new DurationSpec(DataPath.parse("sid"), DataPath.parse("action"), "start", "stop",
                        "heartbeat", timeout)));
    }

    static MeterCatalog catalog() {
        return new MeterCatalog(1, List.of(version(1, Instant.EPOCH, Duration.ofMinutes(20)),
                version(2, V2_FROM, Duration.ofMinutes(7))));
    }

    @Provide
    Arbitrary<Ev> events() {
        return Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 3 * 24 * 60),
                Arbitraries.integers().between(0, 59), Arbitraries.of("a", "b", "c"),
                Arbitraries.frequency(net.jqwik.api.Tuple.of(2, "start"), net.jqwik.api.Tuple.of(5, "heartbeat"),
                        net.jqwik.api.Tuple.of(2, "stop"), net.jqwik.api.Tuple.of(1, "pause")),
                Arbitraries.of("eu", "us")).as(Ev::new);
    }

    @Provide
    Arbitrary<List<Ev>> histories() {
        // sessions clustered in a few hours, so that heartbeats fall within the timeouts
        return events().list().ofMaxSize(120).map(l -> {
            List<Ev> out = new ArrayList<>();
            for (Ev e : l) {
                out.add(new Ev(e.customer(), (e.minute() % 6) * 12 * 60 + e.minute() % 180, e.second(), e.session(),
                        e.action(), e.region()));
            }
            return out;
        });
    }

    @Provide
    Arbitrary<Ask> asks() {
        return Combinators.combine(Arbitraries.of(Window.values()), Arbitraries.of(ZONES),
                Arbitraries.oneOf(Arbitraries.integers().between(-120, 3 * 24 * 60),
                        Arbitraries.integers().between(0, 72).map(h -> h * 60)),
                Arbitraries.oneOf(Arbitraries.integers().between(1, 4 * 24 * 60),
                        Arbitraries.integers().between(1, 96).map(h -> h * 60)),
                Arbitraries.of(false, true)).as(Ask::new);
    }

    static UsageEvent event(int i, Ev ev) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("sid", ev.session());
        data.put("action", ev.action());
        data.put("region", ev.region());
        return new UsageEvent("src", "e" + i, "session", "c" + ev.customer(),
                BASE.plus(Duration.ofMinutes(ev.minute())).plusSeconds(ev.second()), data);
    }

    static UsageRequest request(Ask a, Optional<String> customer) {
        Instant from = BASE.plus(Duration.ofMinutes(a.fromMinute()));
        return new UsageRequest("sessions", customer, from, from.plus(Duration.ofMinutes(a.lengthMinutes())),
                a.window(), a.zone(), a.byRegion() ? List.of("region") : List.of(), Map.of());
    }

    /** A store fed from an in-memory log, in the order given. */
    static final class Fixture implements EventReader {
        final UsageStore store = new UsageStore(Clock.fixed(NOW, ZoneOffset.UTC));
        final Map<Long, UsageEvent> log = new HashMap<>();

        Fixture ingest(List<Ev> evs, List<Integer> order) {
            for (int i : order) {
                UsageEvent e = event(i, evs.get(i));
                log.put((long) i, e);
                store.apply(TENANT, e, CATALOG.contributionsLenient(e), i);
            }
            return this;
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

        List<UsageRow> ask(UsageStore s, Ask a, Optional<String> customer) {
            return s.query(TENANT, CATALOG, request(a, customer), this);
        }
    }

    static List<Integer> inOrder(int n) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(i);
        }
        return l;
    }

    static BigDecimal total(List<UsageRow> rows) {
        return rows.stream().map(UsageRow::value).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    @Property(tries = 150)
    void theWindowsOfAnyQuestionAddUpToItsWholeRangeInEveryZone(@ForAll("histories") List<Ev> evs,
            @ForAll @Size(min = 1, max = 5) List<@From("asks") Ask> asks) {
        Fixture f = new Fixture().ingest(evs, inOrder(evs.size()));
        for (Ask a : asks) {
            Ask whole = new Ask(Window.NONE, a.zone(), a.fromMinute(), a.lengthMinutes(), false);
            for (Optional<String> customer : List.of(Optional.<String>empty(), Optional.of("c1"))) {
                BigDecimal expected = total(f.ask(f.store, whole, customer));
                assertThat(total(f.ask(f.store, a, customer))).as("%s %s", a, customer).isEqualByComparingTo(expected);
                long events = f.ask(f.store, a, customer).stream().mapToLong(UsageRow::events).sum();
                assertThat(events).isEqualTo(f.ask(f.store, whole, customer).stream().mapToLong(UsageRow::events).sum());
            }
        }
    }

    @Property(tries = 150)
    void theWholeRangeEqualsTheIntervalsOfTheEventsThemselves(@ForAll("histories") List<Ev> evs,
            @ForAll @From("asks") Ask a) {
        Fixture f = new Fixture().ingest(evs, inOrder(evs.size()));
        UsageRequest r = request(a, Optional.empty());
        Map<String, List<Mark>> bySeries = new HashMap<>();
        for (int i = 0; i < evs.size(); i++) {
            UsageEvent e = event(i, evs.get(i));
            Optional<Contribution> c = CATALOG.contributionFor("sessions", e);
            if (c.isPresent()) {
                bySeries.computeIfAbsent(e.subject() + " " + c.get().meter().version() + " " + c.get().group(),
                        k -> new ArrayList<>()).add(new Mark(e.time(), MarkKind.ofCode(c.get().value()), e.tieBreak(),
                        c.get().distinct()));
            }
        }
        BigDecimal expected = BigDecimal.ZERO;
        for (Map.Entry<String, List<Mark>> s : bySeries.entrySet()) {
            boolean v1 = s.getKey().contains(" 1 ");
            Duration timeout = v1 ? Duration.ofMinutes(20) : Duration.ofMinutes(7);
            Instant until = v1 && V2_FROM.isBefore(NOW) ? V2_FROM : NOW;
            expected = expected.add(DurationCoverage.of(s.getValue(), timeout, until).seconds(r.from(), r.to()));
        }
        Ask whole = new Ask(Window.NONE, a.zone(), a.fromMinute(), a.lengthMinutes(), a.byRegion());
        assertThat(total(f.ask(f.store, whole, Optional.empty()))).isEqualByComparingTo(expected);
    }

    @Property(tries = 100)
    void arrivalOrderCancelsAndCheckpointsNeverChangeAnAnswer(@ForAll("histories") List<Ev> evs,
            @ForAll Random random, @ForAll @Size(max = 10) List<@IntRange(min = 0, max = 119) Integer> cancels,
            @ForAll @Size(min = 1, max = 4) List<@From("asks") Ask> asks) throws IOException {
        Fixture inOrder = new Fixture().ingest(evs, inOrder(evs.size()));
        List<Integer> shuffled = inOrder(evs.size());
        Collections.shuffle(shuffled, random);
        Fixture anyOrder = new Fixture().ingest(evs, shuffled);
        for (Ask a : asks) {
            assertThat(anyOrder.ask(anyOrder.store, a, Optional.empty())).as("%s", a)
                    .isEqualTo(inOrder.ask(inOrder.store, a, Optional.empty()));
        }

        cancels.forEach(p -> anyOrder.cancel(p));
        List<Integer> kept = new ArrayList<>(inOrder(evs.size()));
        kept.removeAll(cancels);
        Fixture neverSaw = new Fixture().ingest(evs, kept);
        for (Ask a : asks) {
            assertThat(anyOrder.ask(anyOrder.store, a, Optional.empty())).as("after cancels %s", a)
                    .isEqualTo(neverSaw.ask(neverSaw.store, a, Optional.empty()));
        }

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        anyOrder.store.writeTo(new DataOutputStream(bytes));
        UsageStore restored = new UsageStore(Clock.fixed(NOW, ZoneOffset.UTC));
        restored.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        for (Ask a : asks) {
            assertThat(anyOrder.ask(restored, a, Optional.empty())).as("restored %s", a)
                    .isEqualTo(neverSaw.ask(neverSaw.store, a, Optional.empty()));
        }
    }

    @Example
    void aSessionAcrossMidnightBillsEachDayItsOwnPartInTheCustomersZone() {
        // 22:50 to 01:10 Berlin time (UTC+1 on 2026-03-27) with heartbeats every 10 minutes, under version 1 (20 min)
        Fixture f = new Fixture();
        List<Ev> evs = new ArrayList<>();
        Instant start = Instant.parse("2026-03-27T21:50:00Z");
        int base = (int) Duration.between(BASE, start).toMinutes();
        evs.add(new Ev(0, base, 0, "a", "start", "eu"));
        for (int m = 10; m < 140; m += 10) {
            evs.add(new Ev(0, base + m, 0, "a", "heartbeat", "eu"));
        }
        evs.add(new Ev(0, base + 140, 0, "a", "stop", "eu"));
        f.ingest(evs, inOrder(evs.size()));
        UsageRequest days = new UsageRequest("sessions", Optional.of("c0"), Instant.parse("2026-03-26T23:00:00Z"),
                Instant.parse("2026-03-28T23:00:00Z"), Window.DAY, ZoneId.of("Europe/Berlin"), List.of(), Map.of());
        List<UsageRow> rows = f.store.query(TENANT, CATALOG, days, f);
        assertThat(rows).extracting(UsageRow::value).containsExactly(BigDecimal.valueOf(70 * 60), BigDecimal.valueOf(70 * 60));
        assertThat(rows).extracting(UsageRow::events).containsExactly(7L, 8L); // 22:50-23:50 on the first day; 00:00-01:00 and the stop on the second
        // the stop never came: the last heartbeat (01:00) plus the 20-minute timeout
        f.cancel(evs.size() - 1);
        assertThat(f.store.query(TENANT, CATALOG, days, f)).extracting(UsageRow::value)
                .containsExactly(BigDecimal.valueOf(70 * 60), BigDecimal.valueOf(80 * 60));
    }
}

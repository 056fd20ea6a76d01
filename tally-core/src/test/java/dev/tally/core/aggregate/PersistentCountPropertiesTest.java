package dev.tally.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Persistent counts against a reference that walks time minute by minute (every generated instant is a whole
 * minute, so a unit's state is constant within each minute): the prorated value is the day-weighted sum of
 * active units, the other measures agree with the walk, the result does not depend on arrival order or on how
 * operations were split into buckets, and windows split at a day boundary add up.
 */
class PersistentCountPropertiesTest {

    /** Four days before the end of US daylight saving time, so some generated days have 25 hours. */
    static final Instant BASE = Instant.parse("2026-10-28T00:00:00Z");
    static final List<String> UNITS = List.of("a", "b", "c", "d");
    static final List<ZoneId> ZONES = List.of(ZoneId.of("UTC"), ZoneId.of("America/New_York"),
            ZoneId.of("Asia/Kolkata"));

    /** One operation at a whole minute relative to {@link #BASE}. */
    record Op(int minute, String unit, boolean add) {
    }

    /** A case: operations (index = tie-break order within a minute) and a window [from, to) in a zone. */
    record Case(List<Op> ops, int fromMinute, int toMinute, ZoneId zone) {
        Instant from() {
            return at(fromMinute);
        }

        Instant to() {
            return at(toMinute);
        }
    }

    static Instant at(int minute) {
        return BASE.plus(Duration.ofMinutes(minute));
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<Op> op = Combinators.combine(
                Arbitraries.integers().between(-3 * 1440, 12 * 1440)
                        .edgeCases(e -> e.add(0)),
                Arbitraries.of(UNITS), Arbitraries.of(true, true, false)).as(Op::new);
        return Combinators.combine(op.list().ofMaxSize(25), Arbitraries.integers().between(0, 2 * 1440),
                Arbitraries.integers().between(1, 10 * 1440), Arbitraries.of(ZONES))
                .as((ops, from, length, zone) -> new Case(ops, from, from + length, zone));
    }

    static UnitTimeline timeline(List<Op> ops) {
        UnitTimeline t = new UnitTimeline();
        for (int i = 0; i < ops.size(); i++) {
            t.add(operation(ops, i));
        }
        return t;
    }

    static UnitTimeline.Operation operation(List<Op> ops, int i) {
        Op o = ops.get(i);
        return new UnitTimeline.Operation(at(o.minute()), String.format("e%05d", i), o.unit(), o.add());
    }

    /** Whether the unit is active during the minute starting at {@code minute} (after every operation up to it). */
    static boolean active(List<Op> ops, String unit, int minute) {
        boolean active = false;
        for (Op o : ops) { // list order is the tie-break order within a minute
            if (o.unit().equals(unit) && o.minute() <= minute) {
                active = o.add();
            }
        }
        return active;
    }

    /** The reference: [unit-days, days in window, active at some minute, active in the last minute]. */
    static long[] walk(Case c) {
        List<Op> sorted = new ArrayList<>(c.ops());
        // stable sort by minute keeps the index order (the tie-break) within a minute
        sorted.sort((x, y) -> Integer.compare(x.minute(), y.minute()));
        Set<LocalDate> days = new HashSet<>();
        long unitDays = 0;
        long any = 0;
        long atEnd = 0;
        for (int m = c.fromMinute(); m < c.toMinute(); m++) {
            days.add(LocalDate.ofInstant(at(m), c.zone()));
        }
        for (String u : UNITS) {
            Set<LocalDate> activeDays = new HashSet<>();
            boolean state = active(sorted, u, c.fromMinute() - 1);
            int next = 0;
            boolean ever = false;
            for (int m = c.fromMinute(); m < c.toMinute(); m++) {
                while (next < sorted.size() && sorted.get(next).minute() <= m) {
                    if (sorted.get(next).unit().equals(u) && sorted.get(next).minute() >= c.fromMinute()) {
                        state = sorted.get(next).add();
                    }
                    next++;
                }
                if (state) {
                    activeDays.add(LocalDate.ofInstant(at(m), c.zone()));
                    ever = true;
                }
                if (m == c.toMinute() - 1 && state) {
                    atEnd++;
                }
            }
            unitDays += activeDays.size();
            any += ever ? 1 : 0;
        }
        return new long[] {unitDays, days.size(), any, atEnd};
    }

    @Property(tries = 300)
    void proratedCountIsTheDayWeightedSumOfActiveUnits(@ForAll("cases") Case c) {
        long[] ref = walk(c);
        UnitTimeline t = timeline(c.ops());
        assertThat(t.unitDays(c.from(), c.to(), c.zone())).isEqualTo(ref[0]);
        assertThat(UnitTimeline.daysIn(c.from(), c.to(), c.zone())).isEqualTo(ref[1]);
        assertThat(t.value(c.from(), c.to(), c.zone(), PersistentMeasure.PRORATED_BY_DAY)).isEqualByComparingTo(
                BigDecimal.valueOf(ref[0]).divide(BigDecimal.valueOf(ref[1]), AggregateState.DIVISION));
    }

    @Property(tries = 300)
    void activeInWindowAndAtEndAgreeWithTheWalk(@ForAll("cases") Case c) {
        long[] ref = walk(c);
        UnitTimeline t = timeline(c.ops());
        assertThat(t.value(c.from(), c.to(), c.zone(), PersistentMeasure.ACTIVE_IN_WINDOW)).isEqualByComparingTo(
                BigDecimal.valueOf(ref[2]));
        assertThat(t.value(c.from(), c.to(), c.zone(), PersistentMeasure.ACTIVE_AT_END)).isEqualByComparingTo(
                BigDecimal.valueOf(ref[3]));
    }

    @Property(tries = 300)
    void theValueIsIndependentOfArrivalOrderAndBuckets(@ForAll("cases") Case c, @ForAll long seed) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < c.ops().size(); i++) {
            order.add(i);
        }
        Random random = new Random(seed);
        Collections.shuffle(order, random);
        AggregateState left = AggregateState.empty(Aggregation.PERSISTENT_COUNT);
        AggregateState right = AggregateState.empty(Aggregation.PERSISTENT_COUNT);
        for (int i : order) {
            UnitTimeline.Operation o = operation(c.ops(), i);
            (random.nextBoolean() ? left : right).add(o.time(), o.tieBreak(),
                    o.add() ? BigDecimal.ONE : BigDecimal.ONE.negate(), o.unit());
        }
        right.merge(left);
        UnitTimeline merged = ((AggregateState.Persistent) right).timeline();
        UnitTimeline inOrder = timeline(c.ops());
        for (PersistentMeasure m : PersistentMeasure.values()) {
            assertThat(merged.value(c.from(), c.to(), c.zone(), m))
                    .isEqualByComparingTo(inOrder.value(c.from(), c.to(), c.zone(), m));
        }
        assertThat(right.eventCount()).isEqualTo(c.ops().size());
    }

    @Property(tries = 300)
    void windowsSplitAtADayBoundaryAddUp(@ForAll("cases") Case c, @ForAll("splits") int split) {
        LocalDate first = LocalDate.ofInstant(c.from(), c.zone());
        Instant cut = first.plusDays(split).atStartOfDay(c.zone()).toInstant();
        if (!cut.isAfter(c.from()) || !cut.isBefore(c.to())) {
            return;
        }
        UnitTimeline t = timeline(c.ops());
        ZoneId z = c.zone();
        assertThat(t.unitDays(c.from(), c.to(), z)).isEqualTo(t.unitDays(c.from(), cut, z) + t.unitDays(cut, c.to(), z));
        assertThat(UnitTimeline.daysIn(c.from(), c.to(), z))
                .isEqualTo(UnitTimeline.daysIn(c.from(), cut, z) + UnitTimeline.daysIn(cut, c.to(), z));
        // the period's prorated value is the day-weighted mean of its windows' values
        BigDecimal weighted = t.value(c.from(), cut, z, PersistentMeasure.PRORATED_BY_DAY)
                .multiply(BigDecimal.valueOf(UnitTimeline.daysIn(c.from(), cut, z)))
                .add(t.value(cut, c.to(), z, PersistentMeasure.PRORATED_BY_DAY)
                        .multiply(BigDecimal.valueOf(UnitTimeline.daysIn(cut, c.to(), z))));
        BigDecimal whole = t.value(c.from(), c.to(), z, PersistentMeasure.PRORATED_BY_DAY)
                .multiply(BigDecimal.valueOf(UnitTimeline.daysIn(c.from(), c.to(), z)));
        assertThat(weighted.subtract(whole).abs()).isLessThan(new BigDecimal("1e-25"));
        assertThat(t.value(c.from(), c.to(), z, PersistentMeasure.ACTIVE_AT_END))
                .isEqualByComparingTo(t.value(cut, c.to(), z, PersistentMeasure.ACTIVE_AT_END));
        assertThat(t.value(c.from(), c.to(), z, PersistentMeasure.ACTIVE_IN_WINDOW)).isLessThanOrEqualTo(
                t.value(c.from(), cut, z, PersistentMeasure.ACTIVE_IN_WINDOW)
                        .add(t.value(cut, c.to(), z, PersistentMeasure.ACTIVE_IN_WINDOW)));
    }

    @Provide
    Arbitrary<Integer> splits() {
        return Arbitraries.integers().between(1, 10);
    }
}

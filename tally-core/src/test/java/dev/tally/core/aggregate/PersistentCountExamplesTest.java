package dev.tally.core.aggregate;

import static dev.tally.core.CoreFixtures.dec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.meter.AggregateRounding;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed persistent counts. The {@link LagoProrated} and {@link LagoActiveAtEnd} cases are Lago's published
 * recurring unique-count cases (billing period 2022-07-09 to 2022-08-08 inclusive, 31 days, UTC), translated:
 * Lago's {@code to_datetime} 2022-08-08 23:59:59 is Tally's exclusive end 2022-08-09 00:00, and Lago's
 * {@code .ceil(5)} of the total is the meter's aggregate rounding {@code {"mode":"ceil","precision":5}}.
 */
class PersistentCountExamplesTest {

    static final ZoneId UTC = ZoneOffset.UTC;
    static final Instant FROM = Instant.parse("2022-07-09T00:00:00Z");
    static final Instant TO = Instant.parse("2022-08-09T00:00:00Z");
    /** Lago's inclusive end of the period. */
    static final Instant LAGO_TO = TO.minusSeconds(1);
    static final AggregateRounding LAGO_CEIL_5 = new AggregateRounding(AggregateRounding.Mode.CEIL, 5);

    private static final class Ops {
        final UnitTimeline t = new UnitTimeline();
        int n;

        Ops add(String unit, Instant at) {
            t.add(new UnitTimeline.Operation(at, "e" + (n++), unit, true));
            return this;
        }

        Ops remove(String unit, Instant at) {
            t.add(new UnitTimeline.Operation(at, "e" + (n++), unit, false));
            return this;
        }

        BigDecimal prorated() {
            return t.value(FROM, TO, UTC, PersistentMeasure.PRORATED_BY_DAY);
        }

        BigDecimal atEnd() {
            return t.value(FROM, TO, UTC, PersistentMeasure.ACTIVE_AT_END);
        }

        BigDecimal inWindow() {
            return t.value(FROM, TO, UTC, PersistentMeasure.ACTIVE_IN_WINDOW);
        }
    }

    private static Ops ops() {
        return new Ops();
    }

    private static BigDecimal days(long unitDays, long of) {
        return BigDecimal.valueOf(unitDays).divide(BigDecimal.valueOf(of), AggregateState.DIVISION);
    }

    private static Instant days(Instant t, long n) {
        return t.plus(Duration.ofDays(n));
    }

    @Nested
    class LagoProrated {
        @Test
        void unitAddedBeforeThePeriodCountsTheWholePeriod() {
            assertThat(ops().add("u1", FROM.minus(Duration.ofDays(30))).prorated()).isEqualByComparingTo("1");
        }

        @Test
        void unitAddedOnTheTenthDayAddsTwentyOneThirtyFirsts() {
            Ops o = ops().add("u1", FROM.minus(Duration.ofDays(30))).add("u2", days(FROM, 10));
            // 31 + 21 unit-days over 31 days, divided once
            assertThat(o.prorated()).isEqualByComparingTo(days(52, 31));
            assertThat(LAGO_CEIL_5.apply(o.prorated())).isEqualByComparingTo("1.67742");
        }

        @Test
        void unitAddedOnTheSixteenthDayCountsSixteenDays() {
            Ops o = ops().add("u1", days(FROM, 15));
            assertThat(o.prorated()).isEqualByComparingTo(days(16, 31));
            assertThat(LAGO_CEIL_5.apply(o.prorated())).isEqualByComparingTo("0.51613");
        }

        @Test
        void unitAddedOnTheFirstDayCountsTheWholePeriod() {
            assertThat(ops().add("u1", FROM).prorated()).isEqualByComparingTo("1");
        }

        @Test
        void unitRemovedFifteenDaysBeforeTheEndCountsUpToAndWithTheDayOfTheRemoval() {
            Ops o = ops().add("u1", FROM.minus(Duration.ofDays(30))).remove("u1", LAGO_TO.minus(Duration.ofDays(15)));
            assertThat(o.prorated()).isEqualByComparingTo(days(16, 31));
        }

        @Test
        void unitRemovedOnTheLastDayCountsTheWholePeriod() {
            Ops o = ops().add("u1", FROM.minus(Duration.ofDays(30))).remove("u1", LAGO_TO);
            assertThat(o.prorated()).isEqualByComparingTo("1");
        }

        @Test
        void unitAddedAndRemovedInThePeriodCountsTheDaysBetweenInclusive() {
            Ops o = ops().add("u1", days(FROM, 1)).remove("u1", LAGO_TO.minus(Duration.ofDays(1)));
            assertThat(o.prorated()).isEqualByComparingTo(days(29, 31));
        }

        @Test
        void unitAddedAndRemovedTwiceOnOneDayCountsOneDay() {
            Instant a = FROM.plusSeconds(3600);
            Ops o = ops().add("u1", a).remove("u1", a.plusSeconds(3600)).add("u1", a.plusSeconds(7200))
                    .remove("u1", a.plusSeconds(10_800));
            assertThat(o.prorated()).isEqualByComparingTo(days(1, 31));
        }

        @Test
        void unitAddedAndRemovedOnThreeDaysCountsThreeDays() {
            Instant a = FROM.plusSeconds(3600);
            Ops o = ops();
            for (int d : new int[] {0, 5, 10}) {
                o.add("u1", days(a, d)).remove("u1", days(a, d).plusSeconds(3600));
            }
            assertThat(o.prorated()).isEqualByComparingTo(days(3, 31));
        }

        /**
         * Lago divides by the days of the whole billing period also when the subscription ends (or starts) inside
         * it ({@code 16/31}); Tally divides by the days of the window it is asked for. The unit-days agree.
         */
        @Test
        void aTerminatedSubscriptionsWindowHasTheSameUnitDaysAsLago() {
            Ops o = ops().add("u1", FROM.minus(Duration.ofDays(30)));
            Instant terminated = Instant.parse("2022-07-25T00:00:00Z");
            assertThat(o.t.unitDays(FROM, terminated, UTC)).isEqualTo(16);
            assertThat(o.t.value(FROM, terminated, UTC, PersistentMeasure.PRORATED_BY_DAY)).isEqualByComparingTo("1");
        }
    }

    @Nested
    class LagoActiveAtEnd {
        @Test
        void unitRemovedInThePeriodDoesNotCount() {
            assertThat(ops().add("u1", FROM.minus(Duration.ofDays(30))).remove("u1", LAGO_TO.minus(Duration.ofDays(15)))
                    .atEnd()).isEqualByComparingTo("0");
        }

        @Test
        void unitRemovedOnTheLastDayDoesNotCount() {
            assertThat(ops().add("u1", FROM.minus(Duration.ofDays(30))).remove("u1", LAGO_TO).atEnd())
                    .isEqualByComparingTo("0");
        }

        @Test
        void unitAddedAndRemovedInThePeriodDoesNotCount() {
            assertThat(ops().add("u1", days(FROM, 1)).remove("u1", LAGO_TO.minus(Duration.ofDays(1))).atEnd())
                    .isEqualByComparingTo("0");
        }

        @Test
        void unitAddedAndRemovedOnOneDayDoesNotCount() {
            Instant a = days(FROM, 1);
            assertThat(ops().add("u1", a).remove("u1", a.plus(Duration.ofDays(1)).minusSeconds(1)).atEnd())
                    .isEqualByComparingTo("0");
        }

        @Test
        void persistedAndAddedUnitsBothCount() {
            Ops o = ops().add("u1", FROM.minus(Duration.ofDays(30))).add("u2", days(FROM, 10));
            assertThat(o.atEnd()).isEqualByComparingTo("2");
            assertThat(ops().add("u1", days(FROM, 15)).atEnd()).isEqualByComparingTo("1");
        }
    }

    @Test
    void aUnitRemovedInThePeriodCountsAsActiveInTheWindow() {
        Ops o = ops().add("u1", FROM.minus(Duration.ofDays(30))).remove("u1", days(FROM, 3)).add("u2", days(FROM, 5))
                .add("u3", FROM.minus(Duration.ofDays(2))).remove("u3", FROM.minus(Duration.ofDays(1)));
        assertThat(o.inWindow()).isEqualByComparingTo("2");
        assertThat(o.atEnd()).isEqualByComparingTo("1");
        // u1: 9, 10, 11 July (removed at midnight of the 12th) = 3 days; u2: 14 July .. 8 August = 26 days
        assertThat(o.t.unitDays(FROM, TO, UTC)).isEqualTo(29);
    }

    @Test
    void anAddOfAnActiveUnitAndARemoveOfAnInactiveOneChangeNothing() {
        Ops o = ops().remove("u1", FROM.plusSeconds(10)).add("u1", days(FROM, 10)).add("u1", days(FROM, 12))
                .remove("u1", days(FROM, 20)).remove("u1", days(FROM, 25));
        // 19 July .. 28 July (removed at midnight of the 29th) = 10 days
        assertThat(o.t.unitDays(FROM, TO, UTC)).isEqualTo(10);
        assertThat(o.t.activeAt(days(FROM, 11))).containsExactly("u1");
        assertThat(o.t.activeAt(days(FROM, 21))).isEmpty();
    }

    @Test
    void aReAddAfterARemoveOnTheSameDayCountsTheDayOnce() {
        Ops o = ops().add("u1", days(FROM, 2)).remove("u1", days(FROM, 2).plusSeconds(60))
                .add("u1", days(FROM, 2).plusSeconds(120)).remove("u1", days(FROM, 4).plusSeconds(60));
        // 11, 12, 13 July
        assertThat(o.t.unitDays(FROM, TO, UTC)).isEqualTo(3);
    }

    @Test
    void aRemoveAtTheInstantOfTheAddLeavesNoActiveTime() {
        Instant t = days(FROM, 2);
        UnitTimeline tl = new UnitTimeline();
        tl.add(new UnitTimeline.Operation(t, "a", "u1", true));
        tl.add(new UnitTimeline.Operation(t, "b", "u1", false));
        assertThat(tl.unitDays(FROM, TO, UTC)).isZero();
        assertThat(tl.value(FROM, TO, UTC, PersistentMeasure.ACTIVE_IN_WINDOW)).isEqualByComparingTo("0");
    }

    @Test
    void aRemovalAtMidnightEndsTheUnitBeforeThatDay() {
        Ops o = ops().add("u1", FROM).remove("u1", days(FROM, 3));
        assertThat(o.t.unitDays(FROM, TO, UTC)).isEqualTo(3);
    }

    @Test
    void daysAreCalendarDaysOfTheWindowsTimeZone() {
        ZoneId ny = ZoneId.of("America/New_York");
        // November 2026 in New York: 30 days, one of them (1 November, DST ends) 25 hours long
        Instant from = Instant.parse("2026-11-01T04:00:00Z");
        Instant to = Instant.parse("2026-12-01T05:00:00Z");
        UnitTimeline t = new UnitTimeline();
        // 15 November 03:00 UTC is still 14 November in New York
        t.add(new UnitTimeline.Operation(Instant.parse("2026-11-15T03:00:00Z"), "a", "u1", true));
        assertThat(UnitTimeline.daysIn(from, to, ny)).isEqualTo(30);
        assertThat(t.unitDays(from, to, ny)).isEqualTo(17);
        assertThat(t.value(from, to, ny, PersistentMeasure.PRORATED_BY_DAY))
                .isEqualByComparingTo(days(17, 30));
        // the same window in UTC touches 31 days, the unit 17 of them (15 .. 1 December)
        assertThat(UnitTimeline.daysIn(from, to, UTC)).isEqualTo(31);
        assertThat(t.unitDays(from, to, UTC)).isEqualTo(17);
    }

    @Test
    void theBucketStateRoundTripsThroughACheckpointAndMergesOperations() {
        AggregateState a = AggregateState.empty(Aggregation.PERSISTENT_COUNT);
        a.add(FROM.minusSeconds(60), "e1", BigDecimal.ONE, "u1");
        AggregateState b = AggregateState.empty(Aggregation.PERSISTENT_COUNT);
        b.add(days(FROM, 2), "e2", dec("-1"), "u1");
        b.add(days(FROM, 3), "e3", BigDecimal.ONE, "u2");
        a.merge(b);
        AggregateState read = dev.tally.core.CoreFixtures.deserialize(dev.tally.core.CoreFixtures.serialize(a),
                Aggregation.PERSISTENT_COUNT).get(0);
        UnitTimeline t = ((AggregateState.Persistent) read).timeline();
        assertThat(read.eventCount()).isEqualTo(3);
        assertThat(t.unitDays(FROM, TO, UTC)).isEqualTo(2 + 28);
        assertThat(t.operationsIn(FROM, TO)).isEqualTo(2);
    }
}

package dev.tally.core.aggregate;

import static dev.tally.core.CoreFixtures.DAY;
import static dev.tally.core.CoreFixtures.at;
import static dev.tally.core.CoreFixtures.dec;
import static dev.tally.core.CoreFixtures.deserialize;
import static dev.tally.core.CoreFixtures.samples;
import static dev.tally.core.CoreFixtures.serialize;
import static dev.tally.core.CoreFixtures.stateOf;
import static dev.tally.core.CoreFixtures.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.CoreFixtures.Sample;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Hand-computed values of every aggregation. */
class AggregationExamplesTest {

    private static final ValueWindow FIRST_HOUR = window(at("00:00"), at("01:00"), TimeUnitOfMeasure.HOUR);

    private static BigDecimal valueOf(Aggregation a, List<Sample> samples) {
        return stateOf(a, samples).value(FIRST_HOUR);
    }

    // ---- latest

    @Test
    void latestIsDecidedByEventTimeNotArrival() {
        List<Sample> arrivalOrder = List.of(
                new Sample(at("00:10"), "a", "7"),
                new Sample(at("00:40"), "b", "9"),
                new Sample(at("00:20"), "c", "3"));
        AggregateState latest = stateOf(Aggregation.LATEST, arrivalOrder);
        assertThat(latest.value(FIRST_HOUR)).isEqualByComparingTo("9");
        assertThat(latest.lastReading()).contains(new Reading(at("00:40"), "b", dec("9")));
    }

    @Test
    void latestTieAtTheSameInstantIsBrokenByTheGreaterTieBreakKey() {
        Sample first = new Sample(at("00:30"), "src\u0000id-2", "20");
        Sample second = new Sample(at("00:30"), "src\u0000id-1", "10");
        assertThat(valueOf(Aggregation.LATEST, List.of(first, second))).isEqualByComparingTo("20");
        assertThat(valueOf(Aggregation.LATEST, List.of(second, first))).isEqualByComparingTo("20");
    }

    // ---- avg

    @Test
    void averageOfOneAndTwoIsExactlyOneAndAHalf() {
        assertThat(valueOf(Aggregation.AVG, samples(DAY, "1", "2"))).isEqualByComparingTo(dec("1.5"));
    }

    @Test
    void averageThatDoesNotTerminateHas34SignificantDigits() {
        BigDecimal avg = valueOf(Aggregation.AVG, samples(DAY, "1", "1", "2"));
        assertThat(avg).isEqualByComparingTo(dec("1." + "3".repeat(33)));
        assertThat(avg.precision()).isEqualTo(34);
    }

    @Test
    void averageOfDecimalsIsExactAndNormalised() {
        assertThat(valueOf(Aggregation.AVG, samples(DAY, "0.1", "0.2", "0.30"))).isEqualByComparingTo(dec("0.2"));
    }

    // ---- min / max

    @Test
    void minAndMaxHandleNegativesAndDecimals() {
        List<Sample> s = samples(DAY, "-1.5", "2.25", "-0.000001", "2.2500001", "-1.49");
        assertThat(valueOf(Aggregation.MIN, s)).isEqualByComparingTo(dec("-1.5"));
        assertThat(valueOf(Aggregation.MAX, s)).isEqualByComparingTo(dec("2.2500001"));
    }

    @Test
    void minAndMaxOfOnlyNegativesAreNotZero() {
        List<Sample> s = samples(DAY, "-3", "-7.5");
        assertThat(valueOf(Aggregation.MIN, s)).isEqualByComparingTo(dec("-7.5"));
        assertThat(valueOf(Aggregation.MAX, s)).isEqualByComparingTo(dec("-3"));
    }

    // ---- sum / count / unique_count

    @Test
    void sumIsExactAndStripsTrailingZeros() {
        assertThat(valueOf(Aggregation.SUM, samples(DAY, "0.1", "0.2", "0.70"))).isEqualByComparingTo(dec("1"));
    }

    @Test
    void countCountsEventsWhateverTheirValue() {
        assertThat(valueOf(Aggregation.COUNT, samples(DAY, "0", "-5", "5"))).isEqualByComparingTo(dec("3"));
    }

    @Test
    void uniqueCountCountsDistinctTextNotEvents() {
        List<Sample> s = List.of(
                new Sample(DAY, "1", BigDecimal.ZERO, "alice"),
                new Sample(DAY, "2", BigDecimal.ZERO, "bob"),
                new Sample(DAY, "3", BigDecimal.ZERO, "alice"),
                new Sample(DAY, "4", BigDecimal.ZERO, "Alice"));
        AggregateState unique = stateOf(Aggregation.UNIQUE_COUNT, s);
        assertThat(unique.value(FIRST_HOUR)).isEqualByComparingTo(dec("3"));
        assertThat(unique.eventCount()).isEqualTo(4);
    }

    // ---- time_weighted_sum

    @Test
    void timeWeightedSumHoldsEachReadingUntilTheNext() {
        List<Sample> s = List.of(new Sample(at("00:00"), "a", "10"), new Sample(at("00:30"), "b", "20"));
        assertThat(valueOf(Aggregation.TIME_WEIGHTED_SUM, s)).isEqualByComparingTo(dec("15"));
    }

    @Test
    void timeWeightedSumCarriesTheLastReadingBeforeTheWindowIn() {
        AggregateState empty = AggregateState.empty(Aggregation.TIME_WEIGHTED_SUM);
        Optional<Reading> four = Optional.of(new Reading(DAY.minusSeconds(600), "x", dec("4")));
        assertThat(empty.value(window(at("00:00"), at("02:00"), four, TimeUnitOfMeasure.HOUR))).isEqualByComparingTo(dec("8"));
    }

    @Test
    void timeWeightedSumOfAnOpenWindowStopsAtNow() {
        List<Sample> s = List.of(new Sample(at("00:00"), "a", "10"), new Sample(at("00:30"), "b", "20"));
        ValueWindow untilNow = window(at("00:00"), at("00:45"), TimeUnitOfMeasure.HOUR);
        assertThat(stateOf(Aggregation.TIME_WEIGHTED_SUM, s).value(untilNow)).isEqualByComparingTo(dec("10"));
    }

    @Test
    void timeWeightedSumIgnoresReadingsAtOrAfterTheWindowEnd() {
        List<Sample> s = List.of(new Sample(at("00:00"), "a", "10"), new Sample(at("01:00"), "b", "1000"));
        assertThat(valueOf(Aggregation.TIME_WEIGHTED_SUM, s)).isEqualByComparingTo(dec("10"));
    }

    @Test
    void timeWeightedSumIsZeroBeforeTheFirstReadingWithoutCarryIn() {
        List<Sample> s = List.of(new Sample(at("00:45"), "a", "8"));
        assertThat(valueOf(Aggregation.TIME_WEIGHTED_SUM, s)).isEqualByComparingTo(dec("2"));
    }

    @Test
    void timeWeightedSumIsExpressedInTheMetersUnit() {
        List<Sample> s = List.of(new Sample(at("00:00"), "a", "2"));
        ValueWindow oneHour = FIRST_HOUR;
        AggregateState gauge = stateOf(Aggregation.TIME_WEIGHTED_SUM, s);
        assertThat(gauge.value(window(oneHour.from(), oneHour.end(), TimeUnitOfMeasure.SECOND))).isEqualByComparingTo(dec("7200"));
        assertThat(gauge.value(window(oneHour.from(), oneHour.end(), TimeUnitOfMeasure.MINUTE))).isEqualByComparingTo(dec("120"));
        assertThat(gauge.value(window(oneHour.from(), oneHour.end(), TimeUnitOfMeasure.DAY)))
                .isEqualByComparingTo(dec("0.08" + "3".repeat(33)));
    }

    @Test
    void timeWeightedSumCountsNanoseconds() {
        List<Sample> s = List.of(new Sample(at("00:59:59.999999999"), "a", "1000000000"));
        assertThat(stateOf(Aggregation.TIME_WEIGHTED_SUM, s)
                .value(window(at("00:00"), at("01:00"), TimeUnitOfMeasure.SECOND))).isEqualByComparingTo(dec("1"));
    }

    // ---- empty states

    @ParameterizedTest
    @EnumSource(Aggregation.class)
    void emptyStateIsZero(Aggregation a) {
        AggregateState empty = AggregateState.empty(a);
        assertThat(empty.isEmpty()).isTrue();
        assertThat(empty.value(FIRST_HOUR)).isEqualByComparingTo(BigDecimal.ZERO);
        assertThat(empty.lastReading()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Aggregation.class)
    void emptyStateSurvivesACheckpoint(Aggregation a) {
        AggregateState read = deserialize(serialize(AggregateState.empty(a)), a).get(0);
        assertThat(read.isEmpty()).isTrue();
        assertThat(read.value(FIRST_HOUR)).isEqualByComparingTo(BigDecimal.ZERO);
    }

    @Test
    void statesOfDifferentAggregationsDoNotMerge() {
        AggregateState sum = AggregateState.empty(Aggregation.SUM);
        assertThatThrownBy(() -> sum.merge(AggregateState.empty(Aggregation.AVG)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void copyIsIndependentOfTheOriginal() {
        AggregateState original = stateOf(Aggregation.SUM, samples(DAY, "1"));
        AggregateState copy = original.copy();
        copy.add(DAY, "later", dec("5"), "");
        assertThat(original.value(FIRST_HOUR)).isEqualByComparingTo(dec("1"));
        assertThat(copy.value(FIRST_HOUR)).isEqualByComparingTo(dec("6"));
    }

    // ---- known bugs (see the report); enable when fixed

    /**
     * An event may be 64 KiB, so one unique_count value can be ~16,000 characters outside the BMP. writeTo
     * uses DataOutput.writeUTF, whose modified UTF-8 takes 6 bytes per such character and is limited to
     * 65,535 bytes, so writing the checkpoint fails.
     */
    @Test
    void uniqueCountOfALongTextOutsideTheBmpSurvivesACheckpoint() {
        String emoji = "\uD83D\uDE00".repeat(11_000); // 44,000 bytes of UTF-8: fits in a 64 KiB event
        AggregateState unique = AggregateState.empty(Aggregation.UNIQUE_COUNT);
        unique.add(DAY, "t", BigDecimal.ZERO, emoji);
        AggregateState read = deserialize(serialize(unique), Aggregation.UNIQUE_COUNT).get(0);
        assertThat(read.value(FIRST_HOUR)).isEqualByComparingTo(BigDecimal.ONE);
    }

    /**
     * Since merge is allowed to fold in a state of "the same aggregation", min must not merge into max: they are
     * the same class, so {@code merge} accepts it today and the result is silently wrong.
     */
    @Test
    void minStateIsNotMergedIntoMaxState() {
        AggregateState max = stateOf(Aggregation.MAX, samples(DAY, "1"));
        assertThatThrownBy(() -> max.merge(stateOf(Aggregation.MIN, samples(DAY, "-1"))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.tally.engine.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.LongUnaryOperator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The rate baseline: the median and MAD of the same hour of the week, the fallback to the same hour of the day
 * during warm-up, nothing before that; and its properties: the expectation lies within the samples, one outlier
 * among them moves it at most to a neighbouring sample, and the spread never falls below counting noise.
 */
class BaselineTest {
    static final long H = 10_000;

    @Test
    void usesTheSameHourOfTheWeekOnceThreeWeeksAreThereIgnoringLastWeeksIncident() {
        LongUnaryOperator at = h -> h == H - 168 ? 5000 : (H - h) % 168 == 0 ? 100 : 7;
        Baseline b = Baseline.at(H, H - 4 * 168, at, 3).orElseThrow();
        assertThat(b.method()).isEqualTo(Baseline.HOUR_OF_WEEK);
        assertThat(b.expected()).isEqualTo(100.0);
        assertThat(b.spread()).isEqualTo(10.0); // MAD 0: the Poisson spread sqrt(100)
        assertThat(b.z(160)).isEqualTo(6.0);
    }

    @Test
    void fallsBackToTheSameHourOfTheDayThenToNothing() {
        LongUnaryOperator at = h -> (H - h) % 24 == 0 ? 40 : 1;
        Baseline daily = Baseline.at(H, H - 4 * 24, at, 3).orElseThrow();
        assertThat(daily.method()).isEqualTo(Baseline.HOUR_OF_DAY);
        assertThat(daily.expected()).isEqualTo(40.0);
        assertThat(Baseline.at(H, H - 4 * 24, at, 7)).as("a stop needs a week of days").isEmpty();
        assertThat(Baseline.at(H, H - 2 * 24, at, 3)).as("warming up").isEmpty();
    }

    @Test
    void theMedianOfAnEvenNumberOfSamplesIsTheMeanOfTheMiddleTwo() {
        assertThat(Baseline.median(new long[] {4, 1, 10, 2})).isEqualTo(3.0);
        assertThat(Baseline.median(new long[] {4, 1, 10})).isEqualTo(4.0);
    }

    @Property
    void theExpectationLiesWithinTheSamplesAndTheSpreadAboveCountingNoise(
            @ForAll @Size(min = 1, max = 7) List<@LongRange(min = 0, max = 1_000_000) Long> samples) {
        long[] s = samples.stream().mapToLong(Long::longValue).toArray();
        Baseline b = Baseline.of(s, "test");
        assertThat(b.expected()).isBetween((double) Arrays.stream(s).min().orElseThrow(),
                (double) Arrays.stream(s).max().orElseThrow());
        assertThat(b.spread()).isGreaterThanOrEqualTo(Math.max(1.0, Math.sqrt(b.expected())));
        assertThat(b.smallestSample()).isEqualTo(Arrays.stream(s).min().orElseThrow());
    }

    @Property
    void oneOutlierAmongFourWeeksMovesTheExpectationAtMostToAnotherSample(
            @ForAll @Size(4) List<@LongRange(min = 0, max = 10_000) Long> weeks,
            @ForAll @LongRange(min = 0, max = 100_000_000) long outlier) {
        long[] s = weeks.stream().mapToLong(Long::longValue).toArray();
        long[] sorted = s.clone();
        Arrays.sort(sorted);
        long[] spoiled = s.clone();
        spoiled[0] = outlier;
        double expected = Baseline.of(spoiled, "test").expected();
        assertThat(expected).isBetween((double) sorted[0], (double) sorted[3]);
    }

    @Test
    void noSampleBeforeTheFirstHourIsUsed() {
        Optional<Baseline> b = Baseline.at(H, H - 3 * 168, h -> {
            assertThat(h).isGreaterThanOrEqualTo(H - 3 * 168);
            return 50;
        }, 3);
        assertThat(b).isPresent();
    }
}

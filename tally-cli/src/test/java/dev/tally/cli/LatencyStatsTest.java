package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyStatsTest {
    @Test
    void percentilesAreNearestRank() {
        long[] nanos = new long[100];
        for (int i = 0; i < 100; i++) {
            nanos[i] = (100 - i) * 1_000_000L; // 100 ms down to 1 ms, unsorted
        }

        LatencyStats stats = LatencyStats.of(nanos, 100);

        assertThat(stats.p50Nanos()).isEqualTo(50_000_000L);
        assertThat(stats.p99Nanos()).isEqualTo(99_000_000L);
        assertThat(stats.maxNanos()).isEqualTo(100_000_000L);
        assertThat(nanos[0]).as("input untouched").isEqualTo(100_000_000L);
    }

    @Test
    void onlyTheFirstNValuesCountAndNoneGiveZeros() {
        assertThat(LatencyStats.of(new long[] {5, 1, 999}, 2)).isEqualTo(new LatencyStats(2, 1, 5, 5));
        assertThat(LatencyStats.of(new long[0], 0)).isEqualTo(LatencyStats.EMPTY);
    }

    @Test
    void printsMillisecondsWithoutFloatingPoint() {
        assertThat(Format.millis(12_345_678)).isEqualTo("12.35");
        assertThat(Format.millis(1_000)).isEqualTo("0.00");
        assertThat(Format.millis(50_000_000)).isEqualTo("50.00");
        assertThat(Format.seconds(3_005_000_000L)).isEqualTo("3.01");
        assertThat(Format.perSecond(2_000_000, 16_000_000_000L)).isEqualTo(125_000);
        assertThat(Format.perSecond(Long.MAX_VALUE / 2, 1_000_000_000_000L)).isPositive();
        assertThat(Format.count(1234567)).isEqualTo("1,234,567");
    }
}

package dev.tally.cli;

import java.util.Arrays;

/**
 * Nearest-rank percentiles of request latencies, in nanoseconds.
 *
 * @param count how many latencies were measured
 */
record LatencyStats(int count, long p50Nanos, long p99Nanos, long maxNanos) {
    static final LatencyStats EMPTY = new LatencyStats(0, 0, 0, 0);

    /** Percentiles of the first {@code n} values (which are copied, not modified). */
    static LatencyStats of(long[] nanos, int n) {
        if (n == 0) {
            return EMPTY;
        }
        long[] sorted = Arrays.copyOf(nanos, n);
        Arrays.sort(sorted);
        return new LatencyStats(n, percentile(sorted, 50), percentile(sorted, 99), sorted[n - 1]);
    }

    /** The nearest-rank percentile: the smallest value with at least {@code percent}% of values at or below it. */
    static long percentile(long[] sorted, int percent) {
        int n = sorted.length;
        int rank = (int) (((long) percent * n + 99) / 100);
        return sorted[Math.max(0, rank - 1)];
    }

    String describe() {
        return "p50 " + Format.millis(p50Nanos) + " ms  p99 " + Format.millis(p99Nanos) + " ms  max "
                + Format.millis(maxNanos) + " ms";
    }
}

package dev.tally.engine.anomaly;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.LongUnaryOperator;

/**
 * The expected event count of one hour of a customer × meter, learned from its history: the median of the same hour
 * of the week over the last {@value #WEEKS} weeks (at least {@value #MIN_WEEKS} of them in the history), else of the
 * same hour of the day over the last {@value #DAYS} days (at least {@code minDays}); no baseline before that (warm-up).
 * The spread is the MAD scaled to a standard deviation (× 1.4826), never below the Poisson spread √expected nor 1,
 * so a series that never varied still tolerates counting noise. Pure; docs/ANOMALIES.md explains the choice.
 */
record Baseline(double expected, double spread, long smallestSample, String method) {
    static final int WEEKS = 4;
    static final int MIN_WEEKS = 3;
    static final int DAYS = 7;
    static final String HOUR_OF_WEEK = "hour_of_week_median";
    static final String HOUR_OF_DAY = "hour_of_day_median";

    static Optional<Baseline> at(long hour, long firstHour, LongUnaryOperator eventsAt, int minDays) {
        long[] weekly = samples(hour, firstHour, eventsAt, 168, WEEKS);
        if (weekly.length >= MIN_WEEKS) {
            return Optional.of(of(weekly, HOUR_OF_WEEK));
        }
        long[] daily = samples(hour, firstHour, eventsAt, 24, DAYS);
        if (daily.length >= minDays) {
            return Optional.of(of(daily, HOUR_OF_DAY));
        }
        return Optional.empty();
    }

    /** How far {@code observed} is above the expectation, in spreads (negative below). */
    double z(long observed) {
        return (observed - expected) / spread;
    }

    static Baseline of(long[] samples, String method) {
        double median = median(samples);
        double[] deviations = new double[samples.length];
        long smallest = Long.MAX_VALUE;
        for (int i = 0; i < samples.length; i++) {
            deviations[i] = Math.abs(samples[i] - median);
            smallest = Math.min(smallest, samples[i]);
        }
        double mad = median(deviations) * 1.4826;
        double spread = Math.max(Math.max(mad, Math.sqrt(median)), 1.0);
        return new Baseline(median, spread, smallest, method);
    }

    private static long[] samples(long hour, long firstHour, LongUnaryOperator eventsAt, int step, int max) {
        long[] out = new long[max];
        int n = 0;
        for (int k = 1; k <= max; k++) {
            long h = hour - (long) step * k;
            if (h < firstHour) {
                break;
            }
            out[n++] = eventsAt.applyAsLong(h);
        }
        return Arrays.copyOf(out, n);
    }

    static double median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
    }
}

package dev.tally.engine.usage;

import dev.tally.core.aggregate.Aggregation;
import java.time.LocalDate;

/**
 * How coarse one tenant's stored states are per range of hours: hours before {@link #monthsBelow} are merged into
 * one state per UTC month, hours before {@link #daysBelow} into one per UTC day, later hours stay hourly. Only
 * aggregations whose merge is exact are compacted ({@link #mergeable}); the others stay hourly everywhere. A state
 * of a compacted bucket is stored at the bucket's first hour. Both limits only move forward (writer thread, under
 * the tenant's rollup monitor); readers see them through volatile reads.
 */
final class Grains {
    /** Hours before this are in month buckets (month aligned, at most {@link #daysBelow}). */
    volatile long monthsBelow = Long.MIN_VALUE;
    /** Hours before this are in day (or month) buckets (day aligned). */
    volatile long daysBelow = Long.MIN_VALUE;

    /**
     * Whether states of this aggregation merge exactly into coarser ones: sums, counts, extremes, latest, averages
     * (sum and count) and unique counts (the set of values). Not a time-weighted sum (its carry-in reading is per
     * window), a persistent count or a duration (both answered from per-event timelines).
     */
    static boolean mergeable(Aggregation a) {
        return a != Aggregation.TIME_WEIGHTED_SUM && a != Aggregation.PERSISTENT_COUNT && a != Aggregation.DURATION;
    }

    /** The first hour of the bucket holding {@code hour}, for a mergeable aggregation. */
    long start(long hour) {
        if (hour < monthsBelow) {
            LocalDate d = LocalDate.ofEpochDay(Math.floorDiv(hour, 24));
            return d.withDayOfMonth(1).toEpochDay() * 24;
        }
        if (hour < daysBelow) {
            return Math.floorDiv(hour, 24) * 24;
        }
        return hour;
    }

    /** The hour after the bucket holding {@code hour}, for a mergeable aggregation. */
    long end(long hour) {
        if (hour < monthsBelow) {
            LocalDate d = LocalDate.ofEpochDay(Math.floorDiv(hour, 24));
            return d.withDayOfMonth(1).plusMonths(1).toEpochDay() * 24;
        }
        if (hour < daysBelow) {
            return Math.floorDiv(hour, 24) * 24 + 24;
        }
        return hour + 1;
    }

    /** The hour a state of {@code a} for events of {@code hour} is stored at. */
    long stateHour(Aggregation a, long hour) {
        return hour < daysBelow && mergeable(a) ? start(hour) : hour;
    }

    /** The first hour of the UTC day holding {@code instantHour}, and of its month, as {day, month}. */
    static long[] floors(long hour) {
        LocalDate d = LocalDate.ofEpochDay(Math.floorDiv(hour, 24));
        return new long[] {d.toEpochDay() * 24, d.withDayOfMonth(1).toEpochDay() * 24};
    }
}

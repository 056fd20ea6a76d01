package dev.tally.engine.usage;

import java.util.Arrays;

/**
 * One customer's events in one hour: how many still count (stored and not cancelled) and the log positions of
 * those not yet in a sealed segment's position index ({@link SealedPositions}), in log order. Positions of
 * indexed segments are dropped from the front ({@link #dropBelow}); the count stays. Not thread-safe (guarded
 * by the customer's monitor).
 */
final class HourEvents {
    private static final long[] NONE = new long[0];

    private long[] values = NONE;
    private int size;
    /** How many of the first positions are already in a durable checkpoint (an incremental one writes the rest). */
    int durable;
    /** Events of this hour that count: stored (in heap or in an index) and not cancelled. */
    int live;

    void add(long position) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size + (size >> 1) + 4);
        }
        values[size++] = position;
    }

    long get(int i) {
        return values[i];
    }

    int size() {
        return size;
    }

    /** Drops the positions below {@code boundary} (they are indexed on disk); returns how many. */
    int dropBelow(long boundary) {
        int n = 0;
        while (n < size && values[n] < boundary) {
            n++;
        }
        if (n == 0) {
            return 0;
        }
        size -= n;
        values = size == 0 ? NONE : Arrays.copyOfRange(values, n, n + size);
        durable = Math.max(0, durable - n);
        return n;
    }

    long memoryBytes() {
        return 32L + (values.length == 0 ? 0 : 16L + 8L * values.length);
    }
}

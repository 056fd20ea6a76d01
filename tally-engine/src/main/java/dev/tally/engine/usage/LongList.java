package dev.tally.engine.usage;

import java.util.Arrays;

/** A growable list of primitive longs (log positions), append-mostly. Not thread-safe. */
final class LongList {
    private long[] values;
    private int size;
    /** How many of the first values are already in a durable checkpoint (an incremental one writes the rest). */
    int durable;

    LongList() {
        this(4);
    }

    LongList(int capacity) {
        values = new long[Math.max(1, capacity)];
    }

    void add(long v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size + (size >> 1) + 1);
        }
        values[size++] = v;
    }

    long get(int i) {
        return values[i];
    }

    void clear() {
        size = 0;
        durable = 0;
    }

    int size() {
        return size;
    }

    long memoryBytes() {
        return 16L + 8L * values.length;
    }
}

package dev.tally.engine.usage;

import java.util.List;

/**
 * The log positions of events in sealed log segments, per customer, kept outside the heap (the embedded log's
 * per-segment position index, {@code dev.tally.engine.positions}). Every event at a position below
 * {@link #boundary()} is in it; the {@link UsageStore} keeps in heap only positions at or above the boundary.
 * Safe for concurrent readers.
 */
public interface SealedPositions {
    /** Nothing is indexed: every position stays in heap (PostgreSQL, or before the index is attached). */
    SealedPositions NONE = new SealedPositions() {
        @Override
        public long boundary() {
            return 0;
        }

        @Override
        public List<long[]> positions(String tenant, String customer, long fromHour, long toHour, long cursorHour,
                long cursorPosition, int limit, long below) {
            return List.of();
        }
    };

    /** Every event stored below this position is indexed; it only grows. */
    long boundary();

    /**
     * The (hour, position) pairs of a customer's events in indexed segments whose positions are below
     * {@code below} (a {@link #boundary()} read before), with hour in [fromHour, toHour) and after the cursor
     * (hour, position) in (hour, position) order, at most {@code limit} of them, in that order.
     */
    List<long[]> positions(String tenant, String customer, long fromHour, long toHour, long cursorHour,
            long cursorPosition, int limit, long below);
}

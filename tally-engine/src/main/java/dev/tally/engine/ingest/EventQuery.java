package dev.tally.engine.ingest;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Which stored events to list: by customer, type and event-time range [from, to), a page at a time. */
public record EventQuery(Optional<String> customer, Optional<String> type, Optional<Instant> from,
        Optional<Instant> to, Optional<String> cursor, int limit) {
    public static final int MAX_LIMIT = 1000;

    public EventQuery {
        Objects.requireNonNull(customer);
        Objects.requireNonNull(type);
        Objects.requireNonNull(from);
        Objects.requireNonNull(to);
        Objects.requireNonNull(cursor);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
        }
    }
}

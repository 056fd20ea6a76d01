package dev.tally.engine.anomaly;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A filter over one tenant's anomalies: review status, customer, kind, detection time in [from, to), the cursor of
 * the page before and a page size of 1 to 500. Pages are newest first.
 */
public record AnomalyQuery(Optional<AnomalyStatus> status, Optional<String> customer, Optional<AnomalyKind> kind,
        Optional<Instant> from, Optional<Instant> to, Optional<String> cursor, int limit) {
    public static final int MAX_LIMIT = 500;

    public AnomalyQuery {
        Objects.requireNonNull(status);
        Objects.requireNonNull(customer);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(from);
        Objects.requireNonNull(to);
        Objects.requireNonNull(cursor);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be from 1 to " + MAX_LIMIT);
        }
    }

    /** Everything, 100 per page. */
    public static AnomalyQuery all() {
        return new AnomalyQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), 100);
    }
}

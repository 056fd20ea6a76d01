package dev.tally.engine.audit;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A filter over one tenant's audit records: resource kind, resource id, actor (a key id, or the kind
 * {@code system}, {@code scheduler} or {@code portal}), a time range [from, to), the cursor of the page before and a
 * page size of 1 to 500.
 */
public record AuditQuery(Optional<String> resource, Optional<String> resourceId, Optional<String> actor,
        Optional<Instant> from, Optional<Instant> to, Optional<String> cursor, int limit) {
    public static final int MAX_LIMIT = 500;

    public AuditQuery {
        Objects.requireNonNull(resource);
        Objects.requireNonNull(resourceId);
        Objects.requireNonNull(actor);
        Objects.requireNonNull(from);
        Objects.requireNonNull(to);
        Objects.requireNonNull(cursor);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be from 1 to " + MAX_LIMIT);
        }
    }

    /** Everything, newest page size 100. */
    public static AuditQuery all() {
        return new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), 100);
    }
}

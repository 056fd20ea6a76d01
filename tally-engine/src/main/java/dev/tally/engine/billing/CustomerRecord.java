package dev.tally.engine.billing;

import dev.tally.core.billing.Customer;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;

/**
 * A stored customer with its bookkeeping: the current version number (1 when created, one more per change), when
 * it was created, last changed and archived, and a time zone change that is not in force yet. {@link #inForce}
 * gives the customer as billing sees it at an instant: with the pending zone once its time has come.
 */
public record CustomerRecord(Customer customer, int version, Instant createdAt, Optional<Instant> updatedAt,
        Optional<Instant> archivedAt, Optional<PendingZone> pendingZone) {

    /** Validates: every part present, a version of at least 1. */
    public CustomerRecord {
        Objects.requireNonNull(customer, "customer");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(archivedAt, "archivedAt");
        Objects.requireNonNull(pendingZone, "pendingZone");
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1, got " + version);
        }
    }

    /** A time zone that takes effect at {@code effectiveAt} (the start of the customer's next billing period). */
    public record PendingZone(ZoneId timezone, Instant effectiveAt) {
        public PendingZone {
            Objects.requireNonNull(timezone, "timezone");
            Objects.requireNonNull(effectiveAt, "effectiveAt");
        }
    }

    /** Whether the customer is archived. */
    public boolean archived() {
        return archivedAt.isPresent();
    }

    /** The customer at {@code now}: with the pending time zone when it has taken effect. */
    public Customer inForce(Instant now) {
        return pendingZone.filter(p -> !p.effectiveAt().isAfter(now)).map(p -> customer.withTimezone(p.timezone()))
                .orElse(customer);
    }

    /** The pending zone change, unless it has taken effect at {@code now}. */
    public Optional<PendingZone> pendingAt(Instant now) {
        return pendingZone.filter(p -> p.effectiveAt().isAfter(now));
    }
}

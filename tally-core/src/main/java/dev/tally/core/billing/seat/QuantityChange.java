package dev.tally.core.billing.seat;

import dev.tally.core.billing.InvalidBillingException;
import dev.tally.core.billing.Plan;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One immutable fact about a subscription's quantity of a licensed charge: from {@code effectiveAt} on, the
 * quantity is {@code quantity}. {@code sequence} is the order in which facts were recorded (1, 2, ...), which breaks
 * ties between changes effective at the same instant (the later one wins). Guarantees: a non-blank id, a charge key
 * matching {@link Plan#KEY}, a non-negative quantity, and a sequence of at least 1.
 */
public record QuantityChange(String id, String charge, BigDecimal quantity, Instant effectiveAt, Instant recordedAt,
        long sequence) {

    /** Validates (see the type's guarantees). */
    public QuantityChange {
        if (id == null || id.isBlank()) {
            throw new InvalidBillingException("id", "must not be blank");
        }
        if (charge == null || !Plan.KEY.matcher(charge).matches()) {
            throw new InvalidBillingException("charge", "must be a charge key");
        }
        Objects.requireNonNull(quantity, "quantity");
        if (quantity.signum() < 0) {
            throw new InvalidBillingException("quantity", "must not be negative, got " + quantity.toPlainString());
        }
        Objects.requireNonNull(effectiveAt, "effectiveAt");
        Objects.requireNonNull(recordedAt, "recordedAt");
        if (sequence < 1) {
            throw new InvalidBillingException("sequence", "must be at least 1, got " + sequence);
        }
    }
}

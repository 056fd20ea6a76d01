package dev.tally.core.discount;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A coupon applied to a subscription from {@code start}: it covers the billing period containing {@code start} and
 * the coupon's number of periods from there; an invoice issued at or after {@code start} for a covered period is
 * discounted, unless it is issued at or after the redemption's {@code end} (when it was ended early). Guarantees
 * non-blank ids and an end, if any, not before the start.
 */
public record Redemption(String id, String couponKey, String subscriptionId, Instant start, Instant createdAt,
        Optional<Instant> end) {
    public Redemption {
        if (id == null || id.isBlank() || couponKey == null || couponKey.isBlank() || subscriptionId == null
                || subscriptionId.isBlank()) {
            throw new InvalidDiscountException("id", "must not be blank");
        }
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(end, "end");
        if (end.isPresent() && end.get().isBefore(start)) {
            throw new InvalidDiscountException("at", "must not be before the redemption's start");
        }
    }

    /** Whether an invoice issued at {@code boundary} may be discounted by it (at or after its start, before its end). */
    public boolean activeAt(Instant boundary) {
        return !boundary.isBefore(start) && (end.isEmpty() || boundary.isBefore(end.get()));
    }
}

package dev.tally.core.discount;

import java.time.Instant;
import java.util.Objects;

/**
 * A coupon applied to a subscription from {@code start}: it covers the billing period containing {@code start} and
 * the coupon's number of periods from there; an invoice issued at or after {@code start} for a covered period is
 * discounted. Guarantees non-blank ids.
 */
public record Redemption(String id, String couponKey, String subscriptionId, Instant start, Instant createdAt) {
    public Redemption {
        if (id == null || id.isBlank() || couponKey == null || couponKey.isBlank() || subscriptionId == null
                || subscriptionId.isBlank()) {
            throw new InvalidDiscountException("id", "must not be blank");
        }
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}

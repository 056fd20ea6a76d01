package dev.tally.core.billing;

import java.util.Objects;
import java.util.Optional;

/**
 * What, beside the plan, priced an invoice line: a subscription's price override ({@link #PRICE_OVERRIDE}, its id
 * and version) or a coupon's redemption ({@link #DISCOUNT}: the redemption's id, version 1, and the coupon's key).
 * Guarantees a known type, a non-blank id, a version of at least 1, and a coupon exactly for discounts.
 */
public record LineSource(String type, String id, int version, Optional<String> coupon) {
    /** The type of a line priced by a subscription's price override. */
    public static final String PRICE_OVERRIDE = "price_override";
    /** The type of a discount line of a coupon's redemption. */
    public static final String DISCOUNT = "discount";

    /** Validates (see the type's guarantees). */
    public LineSource {
        Objects.requireNonNull(type, "type");
        if (!type.equals(PRICE_OVERRIDE) && !type.equals(DISCOUNT)) {
            throw new InvalidBillingException("source.type", "must be price_override or discount, got " + type);
        }
        if (id == null || id.isBlank()) {
            throw new InvalidBillingException("source.id", "must not be blank");
        }
        if (version < 1) {
            throw new InvalidBillingException("source.version", "must be at least 1, got " + version);
        }
        Objects.requireNonNull(coupon, "coupon");
        if (coupon.isPresent() != type.equals(DISCOUNT)) {
            throw new InvalidBillingException("source.coupon", "must be given exactly for discounts");
        }
    }

    /** The source of lines priced by version {@code version} of override {@code id}. */
    public static LineSource override(String id, int version) {
        return new LineSource(PRICE_OVERRIDE, id, version, Optional.empty());
    }

    /** The source of the discount lines of a redemption of a coupon. */
    public static LineSource redemption(String redemptionId, String couponKey) {
        return new LineSource(DISCOUNT, redemptionId, 1, Optional.of(couponKey));
    }

    /** How an invoice shows it, e.g. {@code "override ovr_1 v2"} or {@code "coupon launch (red_1)"}. */
    public String label() {
        return type.equals(PRICE_OVERRIDE) ? "override " + id + " v" + version : "coupon " + coupon.orElseThrow() + " (" + id + ")";
    }
}

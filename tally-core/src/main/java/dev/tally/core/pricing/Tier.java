package dev.tally.core.pricing;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * One tier of a {@link GraduatedPrice} or {@link VolumePrice}: it covers quantities up to and including
 * {@code upTo} (empty = open-ended, only allowed for the last tier), priced at {@code unitPrice} per unit,
 * plus {@code flatFee} once when the tier is entered. Guarantees non-negative bound and prices; the
 * ordering of tiers is checked by the price that holds them.
 */
public record Tier(Optional<BigDecimal> upTo, BigDecimal unitPrice, BigDecimal flatFee) {

    /** Validates: bound (if any), unit price and flat fee present and not negative. */
    public Tier {
        Decimals.nonNegative(upTo, "up_to");
        Decimals.nonNegative(unitPrice, "unit_price");
        Decimals.nonNegative(flatFee, "flat_fee");
    }

    /** A tier covering quantities up to and including {@code upTo}. */
    public static Tier upTo(BigDecimal upTo, BigDecimal unitPrice, BigDecimal flatFee) {
        return new Tier(Optional.of(Objects.requireNonNull(upTo, "up_to")), unitPrice, flatFee);
    }

    /** The open-ended last tier. */
    public static Tier open(BigDecimal unitPrice, BigDecimal flatFee) {
        return new Tier(Optional.empty(), unitPrice, flatFee);
    }
}

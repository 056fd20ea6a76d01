package dev.tally.core.pricing;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * One tier of a {@link GraduatedPercentagePrice}: it covers the cumulative event value up to and
 * including {@code upTo} (empty = open-ended, only for the last tier), charged at {@code rate} percent,
 * plus {@code flatFee} once when the tier is entered. Guarantees non-negative bound, rate and fee.
 */
public record PercentTier(Optional<BigDecimal> upTo, BigDecimal rate, BigDecimal flatFee) {

    /** Validates: bound (if any), rate and flat fee present and not negative. */
    public PercentTier {
        Decimals.nonNegative(upTo, "up_to");
        Decimals.nonNegative(rate, "rate");
        Decimals.nonNegative(flatFee, "flat_fee");
    }

    /** A tier covering cumulative value up to and including {@code upTo}. */
    public static PercentTier upTo(BigDecimal upTo, BigDecimal rate, BigDecimal flatFee) {
        return new PercentTier(Optional.of(Objects.requireNonNull(upTo, "up_to")), rate, flatFee);
    }

    /** The open-ended last tier. */
    public static PercentTier open(BigDecimal rate, BigDecimal flatFee) {
        return new PercentTier(Optional.empty(), rate, flatFee);
    }
}

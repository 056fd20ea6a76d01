package dev.tally.core.billing;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A fixed fee per billing period, in the plan's currency, billed {@link FeeTiming#IN_ADVANCE in advance} or
 * {@link FeeTiming#IN_ARREARS in arrears} and prorated by day when only part of a period is billed (see
 * {@link Proration}). Guarantees a valid key and name and a non-negative amount.
 */
public record FlatCharge(String key, String name, BigDecimal amount, FeeTiming timing) implements Charge {

    /** Validates (see the type's guarantees). */
    public FlatCharge {
        Checks.keyAndName(key, name);
        if (amount == null) {
            throw new InvalidBillingException("amount", "is required");
        }
        if (amount.signum() < 0) {
            throw new InvalidBillingException("amount", "must not be negative, got " + amount.toPlainString());
        }
        Objects.requireNonNull(timing, "timing");
    }
}

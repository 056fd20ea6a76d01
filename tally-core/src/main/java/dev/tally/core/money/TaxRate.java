package dev.tally.core.money;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A named tax rate in percent ({@code 8.875} means 8.875 %). Guarantees a non-blank name and a
 * non-negative percent. {@link #taxOn(Money)} is the single place a tax amount is computed: the exact
 * product {@code subtotal × percent / 100}, rounded once by the {@link RoundingRule}.
 */
public record TaxRate(String name, BigDecimal percent) {

    /** Validates: non-blank name, percent present and not negative. */
    public TaxRate {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(percent, "percent");
        if (name.isBlank()) {
            throw new InvalidMoneyException("tax rate name must not be blank");
        }
        if (percent.signum() < 0) {
            throw new InvalidMoneyException("tax rate " + name + " must not be negative: " + percent.toPlainString());
        }
    }

    /**
     * The tax of this rate on a subtotal: {@code subtotal × percent / 100}, computed exactly and then
     * rounded once, HALF_UP to the subtotal currency's minor unit.
     */
    public Money taxOn(Money subtotal) {
        Objects.requireNonNull(subtotal, "subtotal");
        return subtotal.times(percent.movePointLeft(2)).rounded();
    }
}

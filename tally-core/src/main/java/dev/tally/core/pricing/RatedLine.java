package dev.tally.core.pricing;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * One explainable line of a rating: what it is, how many (units, packages, events, or an amount of
 * value), at what price each, and the exact, UNROUNDED amount. Guarantees a non-blank description, a
 * non-negative quantity and {@code amount == quantity × unitPrice} exactly, so every line can be
 * checked by hand. The unit price may be negative only for a correcting line (e.g. a maximum cap).
 * Rounding to the currency happens once per invoice line, later ({@code Money.rounded()}).
 */
public record RatedLine(String description, BigDecimal quantity, BigDecimal unitPrice, BigDecimal amount) {

    /** Validates (see the type's guarantees). */
    public RatedLine {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(quantity, "quantity");
        Objects.requireNonNull(unitPrice, "unitPrice");
        Objects.requireNonNull(amount, "amount");
        if (description.isBlank()) {
            throw new IllegalArgumentException("description must not be blank");
        }
        if (quantity.signum() < 0) {
            throw new IllegalArgumentException("quantity must not be negative: " + quantity.toPlainString());
        }
        if (amount.compareTo(quantity.multiply(unitPrice)) != 0) {
            throw new IllegalArgumentException("amount " + amount.toPlainString() + " is not quantity "
                    + quantity.toPlainString() + " × unit price " + unitPrice.toPlainString());
        }
    }

    /** A line whose amount is computed: {@code quantity × unitPrice}. */
    public static RatedLine of(String description, BigDecimal quantity, BigDecimal unitPrice) {
        Objects.requireNonNull(quantity, "quantity");
        Objects.requireNonNull(unitPrice, "unitPrice");
        return new RatedLine(description, quantity, unitPrice, quantity.multiply(unitPrice));
    }

    /** The same line with its description prefixed (e.g. by a dimension value). */
    RatedLine prefixed(String prefix) {
        return new RatedLine(prefix + description, quantity, unitPrice, amount);
    }
}

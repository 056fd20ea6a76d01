package dev.tally.core.pricing;

import java.math.BigDecimal;

/**
 * {@code unit}: every unit costs {@code unitPrice}; amount = quantity × unitPrice. Guarantees a
 * non-negative unit price.
 */
public record UnitPrice(BigDecimal unitPrice) implements PriceModel {

    /** Validates: unit price present and not negative. */
    public UnitPrice {
        Decimals.nonNegative(unitPrice, "unit_price");
    }

    @Override
    public String modelName() {
        return "unit";
    }

    @Override
    public boolean ratedPerEvent() {
        return false;
    }
}

package dev.tally.core.money;

import java.util.Objects;

/**
 * One tax line of an invoice: the rate and the tax it produced, already rounded to the currency's
 * minor unit (guaranteed: constructing it with an unrounded amount fails).
 */
public record TaxLine(TaxRate rate, Money amount) {

    /** Validates: no nulls; the amount is rounded to its currency's minor unit. */
    public TaxLine {
        Objects.requireNonNull(rate, "rate");
        Objects.requireNonNull(amount, "amount");
        if (!amount.isRounded()) {
            throw new InvalidMoneyException("tax line " + rate.name() + " is not rounded: " + amount);
        }
    }
}

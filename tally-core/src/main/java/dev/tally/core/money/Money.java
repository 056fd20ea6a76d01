package dev.tally.core.money;

import dev.tally.core.input.DecimalInput;
import dev.tally.core.input.InvalidInputException;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import java.util.Objects;

/**
 * An exact amount of one ISO 4217 currency. Arithmetic is exact ({@code BigDecimal}, no scale limit,
 * never a {@code double}); rounding happens only through {@link #rounded()}, which applies the
 * {@link RoundingRule}. Two amounts are equal when they are numerically equal in the same currency
 * ({@code 1.0 USD} equals {@code 1.00 USD}); {@link #toString()} keeps the scale as given.
 * Combining different currencies throws {@link CurrencyMismatchException}. The currency must have a
 * minor unit (no XXX or XAU), so every {@code Money} can be rounded.
 */
public record Money(BigDecimal amount, Currency currency) implements Comparable<Money> {

    /** Validates: no nulls; the currency has a minor unit. */
    public Money {
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(currency, "currency");
        RoundingRule.minorUnitDigits(currency);
    }

    /** Zero in the given currency, at the currency's minor-unit scale ("0.00" for USD). */
    public static Money zero(Currency currency) {
        return new Money(BigDecimal.ZERO.setScale(RoundingRule.minorUnitDigits(currency)), currency);
    }

    /**
     * Parses a decimal string ("12.345", never a binary float) into an exact amount of the currency, within
     * {@link DecimalInput#AMOUNTS}.
     */
    public static Money of(String amount, Currency currency) {
        Objects.requireNonNull(amount, "amount");
        try {
            return new Money(DecimalInput.parse(amount, DecimalInput.AMOUNTS), currency);
        } catch (InvalidInputException e) {
            throw new InvalidMoneyException("not a decimal amount: \"" + amount + "\" (" + e.problem() + ")");
        }
    }

    /**
     * The exact sum of amounts that are all in the given currency; zero (at minor-unit scale) if empty.
     * The sum is never rounded.
     */
    public static Money sum(Currency currency, List<Money> amounts) {
        Money total = zero(currency);
        for (Money m : amounts) {
            total = total.plus(m);
        }
        return total;
    }

    /** The exact sum; both amounts must be in the same currency. */
    public Money plus(Money other) {
        requireSameCurrency(other);
        return new Money(amount.add(other.amount), currency);
    }

    /** The exact difference; both amounts must be in the same currency. */
    public Money minus(Money other) {
        requireSameCurrency(other);
        return new Money(amount.subtract(other.amount), currency);
    }

    /** The exact product with a factor (a quantity, a rate); not rounded. */
    public Money times(BigDecimal factor) {
        Objects.requireNonNull(factor, "factor");
        return new Money(amount.multiply(factor), currency);
    }

    /** The amount with the opposite sign. */
    public Money negate() {
        return new Money(amount.negate(), currency);
    }

    /** Whether the amount is below zero. */
    public boolean isNegative() {
        return amount.signum() < 0;
    }

    /** Whether the amount is exactly zero (at any scale). */
    public boolean isZero() {
        return amount.signum() == 0;
    }

    /**
     * This amount rounded by the {@link RoundingRule}: HALF_UP to the currency's minor unit, with exactly
     * that many digits after the point. Rounding a rounded amount returns an equal amount.
     */
    public Money rounded() {
        return new Money(RoundingRule.round(amount, currency), currency);
    }

    /** Whether this amount is already at the currency's minor unit. */
    public boolean isRounded() {
        return RoundingRule.isRounded(amount, currency);
    }

    /**
     * Numeric comparison of two amounts in the same currency (consistent with {@link #equals}).
     *
     * @throws CurrencyMismatchException if the currencies differ
     */
    @Override
    public int compareTo(Money other) {
        requireSameCurrency(other);
        return amount.compareTo(other.amount);
    }

    /** The amount as a plain decimal string without exponent ("1000.50"), as it travels in JSON. */
    public String plainString() {
        return amount.toPlainString();
    }

    /** The amount and the currency code, e.g. {@code "12.50 USD"}. */
    @Override
    public String toString() {
        return amount.toPlainString() + " " + currency.getCurrencyCode();
    }

    /** Numeric equality in the same currency: scale does not matter. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Money m && currency.equals(m.currency) && amount.compareTo(m.amount) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * currency.hashCode() + (amount.signum() == 0 ? 0 : amount.stripTrailingZeros().hashCode());
    }

    private void requireSameCurrency(Money other) {
        Objects.requireNonNull(other, "other");
        if (!currency.equals(other.currency)) {
            throw new CurrencyMismatchException(currency, other.currency);
        }
    }
}

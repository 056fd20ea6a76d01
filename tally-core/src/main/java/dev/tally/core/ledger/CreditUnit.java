package dev.tally.core.ledger;

import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A custom credit unit of a wallet ("credits", "tokens"), worth {@code rate} of the wallet's {@code currency} each
 * (positive, at most {@value #MAX_RATE_DECIMALS} decimals): 1 credit = 0.01 USD. The ledger itself stays in money:
 * an amount of units is converted to money once, when it is granted, and must convert exactly
 * ({@link #toMoney}: units × rate at the currency's minor unit, else refused), so a drawdown, which pays an invoice
 * in money, never rounds and never loses a cent. What is left is shown in units by {@link #unitsOf}: money ÷ rate,
 * rounded down to {@value #UNIT_DECIMALS} decimals (never more units than the money is worth).
 */
public record CreditUnit(String key, Currency currency, BigDecimal rate) {
    /** Unit keys: lower case (so never an ISO 4217 code), 1 to 32 of letters, digits and {@code _}. */
    public static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]{0,31}");
    /** The most decimals of a rate. */
    public static final int MAX_RATE_DECIMALS = 12;
    /** The decimals of an amount of units (given, and shown). */
    public static final int UNIT_DECIMALS = 6;

    public CreditUnit {
        Objects.requireNonNull(key, "key");
        if (!KEY.matcher(key).matches()) {
            throw new InvalidLedgerException("unit", "must be 1 to 32 lower-case letters, digits or '_', starting with a letter");
        }
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(rate, "rate");
        if (rate.signum() <= 0 || rate.stripTrailingZeros().scale() > MAX_RATE_DECIMALS
                || rate.stripTrailingZeros().precision() - rate.stripTrailingZeros().scale() > 12) {
            throw new InvalidLedgerException("rate", "must be positive, with at most " + MAX_RATE_DECIMALS
                    + " decimals and 12 digits before the point");
        }
        rate = rate.stripTrailingZeros();
        if (rate.scale() < 0) {
            rate = rate.setScale(0);
        }
    }

    /**
     * The money {@code units} are worth: exactly units × rate.
     *
     * @throws InvalidLedgerException if units are not positive, have more than {@value #UNIT_DECIMALS} decimals, or
     *     are not worth a whole number of the currency's minor unit
     */
    public Money toMoney(BigDecimal units) {
        Objects.requireNonNull(units, "units");
        if (units.signum() <= 0 || units.stripTrailingZeros().scale() > UNIT_DECIMALS) {
            throw new InvalidLedgerException("amount", "must be a positive number of " + key + " with at most "
                    + UNIT_DECIMALS + " decimals");
        }
        Money m = new Money(units.multiply(rate), currency);
        if (!m.isRounded()) {
            throw new InvalidLedgerException("amount", units.stripTrailingZeros().toPlainString() + " " + key + " at "
                    + rate.toPlainString() + " " + currency.getCurrencyCode() + " are worth "
                    + m.amount().stripTrailingZeros().toPlainString() + ", not a whole number of the currency's minor unit");
        }
        return m.rounded();
    }

    /** What {@code money} is worth in units: money ÷ rate, rounded down to {@value #UNIT_DECIMALS} decimals. */
    public BigDecimal unitsOf(Money money) {
        if (!money.currency().equals(currency)) {
            throw new InvalidLedgerException("currency", "is not the unit's " + currency.getCurrencyCode());
        }
        return money.amount().divide(rate, UNIT_DECIMALS, RoundingMode.DOWN);
    }
}

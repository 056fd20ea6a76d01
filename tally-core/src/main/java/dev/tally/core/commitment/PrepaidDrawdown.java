package dev.tally.core.commitment;

import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Objects;

/**
 * A prepaid commitment paying one invoice's eligible charges: it pays {@code drawn}, at most what is left of it and at
 * most the eligible charges (never below zero: negative eligible charges draw nothing), and the part it does not pay
 * is billed as overage at {@code overageRate} times list price, so {@code overage} is that part times
 * {@code overageRate − 1}, rounded once (positive above list price, negative below, zero at 1).
 *
 * <p>Guarantees, all in one currency at its minor unit: {@code 0 <= drawn <= remaining};
 * {@code drawn <= max(0, eligible)}; {@code remainingAfter == remaining − drawn >= 0}; the customer is billed
 * {@code eligible − drawn + overage} for the eligible charges; a commitment with something left pays all the eligible
 * charges it can ({@code drawn == min(remaining, max(0, eligible))}).
 */
public record PrepaidDrawdown(Money remaining, Money eligible, BigDecimal overageRate, Money drawn, Money overage) {

    /** Validates (see the type's guarantees). */
    public PrepaidDrawdown {
        Objects.requireNonNull(remaining, "remaining");
        Objects.requireNonNull(eligible, "eligible");
        Objects.requireNonNull(overageRate, "overageRate");
        Objects.requireNonNull(drawn, "drawn");
        Objects.requireNonNull(overage, "overage");
        Currency currency = remaining.currency();
        for (Money m : new Money[] {eligible, drawn, overage}) {
            if (!m.currency().equals(currency) || !m.isRounded()) {
                throw new InvalidCommitmentException("amount", "must be in " + currency.getCurrencyCode() + " at its minor unit");
            }
        }
        if (!remaining.isRounded() || remaining.isNegative()) {
            throw new InvalidCommitmentException("remaining", "must not be negative, got " + remaining.plainString());
        }
        requireRate(overageRate);
        Money payable = eligible.isNegative() ? Money.zero(currency) : eligible;
        Money expected = remaining.compareTo(payable) <= 0 ? remaining : payable;
        if (!drawn.equals(expected)) {
            throw new InvalidCommitmentException("", "a drawdown is min(remaining, max(0, eligible))");
        }
        if (!overage.equals(overageOf(payable.minus(drawn), overageRate))) {
            throw new InvalidCommitmentException("", "overage is the charges left unpaid times (rate - 1), rounded");
        }
    }

    /**
     * Draws an invoice's eligible charges from what is left of a commitment.
     *
     * @throws InvalidCommitmentException if the amounts are in two currencies, not rounded, {@code remaining} is
     *     negative or the rate is negative
     */
    public static PrepaidDrawdown draw(Money remaining, Money eligible, BigDecimal overageRate) {
        Objects.requireNonNull(remaining, "remaining");
        Objects.requireNonNull(eligible, "eligible");
        requireRate(overageRate);
        if (!remaining.currency().equals(eligible.currency())) {
            throw new InvalidCommitmentException("currency", "of the commitment and the charges must be the same");
        }
        Money payable = eligible.isNegative() ? Money.zero(eligible.currency()) : eligible;
        Money drawn = remaining.compareTo(payable) <= 0 ? remaining : payable;
        return new PrepaidDrawdown(remaining, eligible, overageRate, drawn, overageOf(payable.minus(drawn), overageRate));
    }

    /** What is left of the commitment after this invoice. */
    public Money remainingAfter() {
        return remaining.minus(drawn);
    }

    /** What the customer is billed for the eligible charges: the part the commitment did not pay, plus overage. */
    public Money billed() {
        return eligible.minus(drawn).plus(overage);
    }

    private static Money overageOf(Money unpaid, BigDecimal rate) {
        return unpaid.times(rate.subtract(BigDecimal.ONE)).rounded();
    }

    private static void requireRate(BigDecimal rate) {
        Objects.requireNonNull(rate, "overageRate");
        if (rate.signum() < 0) {
            throw new InvalidCommitmentException("overage_rate", "must not be negative, got " + rate.toPlainString());
        }
    }
}

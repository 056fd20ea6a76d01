package dev.tally.core.commitment;

import dev.tally.core.billing.Period;
import dev.tally.core.billing.Proration;
import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.Currency;
import java.util.Objects;

/**
 * A minimum commitment on one billing period: the period's charges (usage and fees, before discounts, credits and
 * tax) are topped up to the minimum by a true-up of the difference.
 *
 * <p>Guarantees, all in one currency at its minor unit: {@code trueUp >= 0};
 * {@code charges + trueUp == max(charges, minimum)}; the true-up is zero when the charges reach the minimum. The
 * minimum of a partial period is the full minimum prorated by day ({@link Proration}: days billed / days of the
 * nominal period), rounded once to the minor unit.
 */
public record MinimumTrueUp(Money minimum, Money charges, Money trueUp) {

    /** Validates (see the type's guarantees). */
    public MinimumTrueUp {
        Objects.requireNonNull(minimum, "minimum");
        Objects.requireNonNull(charges, "charges");
        Objects.requireNonNull(trueUp, "trueUp");
        Currency currency = minimum.currency();
        if (!charges.currency().equals(currency) || !trueUp.currency().equals(currency)) {
            throw new InvalidCommitmentException("currency", "of the charges and the minimum must be the same");
        }
        if (!minimum.isRounded() || !charges.isRounded() || !trueUp.isRounded()) {
            throw new InvalidCommitmentException("amount", "must be in the minor unit of " + currency.getCurrencyCode());
        }
        if (minimum.isNegative()) {
            throw new InvalidCommitmentException("amount", "of a minimum must not be negative, got " + minimum.plainString());
        }
        Money due = charges.compareTo(minimum) >= 0 ? charges : minimum;
        if (trueUp.isNegative() || !charges.plus(trueUp).equals(due)) {
            throw new InvalidCommitmentException("", "a true-up is max(charges, minimum) - charges");
        }
    }

    /**
     * The true-up of a period whose charges are {@code charges} under a minimum of {@code minimum} (already prorated).
     *
     * @throws InvalidCommitmentException if the amounts are in two currencies, not rounded, or the minimum is negative
     */
    public static MinimumTrueUp of(Money charges, Money minimum) {
        Objects.requireNonNull(charges, "charges");
        Objects.requireNonNull(minimum, "minimum");
        if (!charges.currency().equals(minimum.currency())) {
            throw new InvalidCommitmentException("currency", "of the charges and the minimum must be the same");
        }
        Money gap = minimum.minus(charges);
        return new MinimumTrueUp(minimum, charges, gap.isNegative() ? Money.zero(minimum.currency()) : gap);
    }

    /**
     * The minimum of the part of a period that is billed: {@code full × days(billed) / days(nominal)}, rounded once to
     * the currency's minor unit; the full minimum when the whole nominal period is billed.
     *
     * @throws InvalidCommitmentException if the full minimum is negative
     * @throws dev.tally.core.billing.InvalidBillingException if {@code billed} is not within {@code nominal}
     */
    public static Money prorated(BigDecimal full, Period billed, Period nominal, ZoneId zone, Currency currency) {
        Objects.requireNonNull(full, "full");
        if (full.signum() < 0) {
            throw new InvalidCommitmentException("amount", "of a minimum must not be negative");
        }
        return new Money(Proration.prorate(full, billed, nominal, zone), currency).rounded();
    }
}

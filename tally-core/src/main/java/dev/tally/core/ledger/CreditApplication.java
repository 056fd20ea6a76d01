package dev.tally.core.ledger;

import dev.tally.core.money.Money;
import java.util.List;
import java.util.Objects;

/**
 * What credits did to one invoice: {@code drawdowns} (each grant and the amount it paid, in drawdown order),
 * {@code toBalance} (what a negative total carried to the customer's balance) and {@code amountDue} (what is left to
 * pay). Guarantees, all in one currency at its minor unit: {@code amountDue >= 0}, every drawdown positive,
 * {@code toBalance >= 0}, drawdowns only when the total is positive and a credit to the balance only when it is
 * negative, and {@code amountDue + creditsApplied - toBalance == totalBeforeCredits} exactly.
 */
public record CreditApplication(Money totalBeforeCredits, List<Drawdown> drawdowns, Money toBalance, Money amountDue) {

    /** One grant paying part of an invoice. */
    public record Drawdown(Grant grant, Money amount) {
        /** Validates: positive, in the grant's currency, at the minor unit. */
        public Drawdown {
            Objects.requireNonNull(grant, "grant");
            Objects.requireNonNull(amount, "amount");
            if (amount.amount().signum() <= 0 || !amount.isRounded() || !amount.currency().equals(grant.amount().currency())) {
                throw new InvalidLedgerException("drawdowns", "must be positive amounts of the grant's currency");
            }
        }
    }

    /** Validates (see the type's guarantees). */
    public CreditApplication {
        Objects.requireNonNull(totalBeforeCredits, "totalBeforeCredits");
        drawdowns = List.copyOf(drawdowns);
        Objects.requireNonNull(toBalance, "toBalance");
        Objects.requireNonNull(amountDue, "amountDue");
        var currency = totalBeforeCredits.currency();
        for (Money m : List.of(totalBeforeCredits, toBalance, amountDue)) {
            if (!m.currency().equals(currency) || !m.isRounded()) {
                throw new InvalidLedgerException("", "every amount must be in " + currency + " at its minor unit");
            }
        }
        if (amountDue.isNegative() || toBalance.isNegative()) {
            throw new InvalidLedgerException("amount_due", "and the credit to the balance must not be negative");
        }
        if (!drawdowns.isEmpty() && totalBeforeCredits.amount().signum() <= 0
                || toBalance.amount().signum() > 0 && !totalBeforeCredits.isNegative()) {
            throw new InvalidLedgerException("", "credits pay positive totals; only a negative total credits the balance");
        }
        Money applied = Money.sum(currency, drawdowns.stream().map(Drawdown::amount).toList());
        if (!amountDue.plus(applied).minus(toBalance).equals(totalBeforeCredits)) {
            throw new InvalidLedgerException("", "amount due " + amountDue + " + credits " + applied + " - credit to balance "
                    + toBalance + " is not the total " + totalBeforeCredits);
        }
    }

    /** Credits applied without any grant: a positive total is due in full, a negative one credits the balance. */
    public static CreditApplication withoutGrants(Money total) {
        return InvoiceCredits.apply(total, java.util.Map.of(), List.of());
    }

    /** The sum of the drawdowns. */
    public Money creditsApplied() {
        return Money.sum(totalBeforeCredits.currency(), drawdowns.stream().map(Drawdown::amount).toList());
    }
}

package dev.tally.core.ledger;

import dev.tally.core.money.Money;
import java.util.Objects;

/** A grant and what is left of it (the sum of its entries); never negative, in the grant's currency. */
public record GrantBalance(Grant grant, Money balance) {
    /** Validates: same currency, not negative. */
    public GrantBalance {
        Objects.requireNonNull(grant, "grant");
        Objects.requireNonNull(balance, "balance");
        if (!balance.currency().equals(grant.amount().currency()) || balance.isNegative()) {
            throw new InvalidLedgerException("balance", "of grant " + grant.id() + " must not be negative, got " + balance);
        }
    }
}

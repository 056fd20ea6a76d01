package dev.tally.engine.credit;

import dev.tally.core.ledger.Grant;
import dev.tally.core.money.Money;
import java.util.Objects;

/**
 * The automatic top-up of one wallet: when its live balance is below {@code threshold} (not negative), buy
 * {@code amount} of credits (positive) at {@code price} (not negative; both at the currency's minor unit, in the
 * wallet's currency) as a paid grant of {@code priority} with {@code reason}. {@code armed} is true until it fires
 * and again once the balance is back at or above the threshold; {@code fired} counts the top-ups bought.
 */
public record AutoTopUp(String customer, Money threshold, Money amount, Money price, int priority, String reason,
        boolean armed, long fired) {
    public AutoTopUp {
        Objects.requireNonNull(customer);
        Objects.requireNonNull(threshold);
        Objects.requireNonNull(amount);
        Objects.requireNonNull(price);
        Objects.requireNonNull(reason);
        if (threshold.isNegative() || !threshold.isRounded()) {
            throw new dev.tally.core.validation.ValidationException("threshold", "must not be negative and be in the minor unit");
        }
        if (amount.amount().signum() <= 0 || !amount.isRounded()) {
            throw new dev.tally.core.validation.ValidationException("amount", "must be positive and in the minor unit");
        }
        if (price.isNegative() || !price.isRounded()) {
            throw new dev.tally.core.validation.ValidationException("price", "must not be negative and be in the minor unit");
        }
        if (!threshold.currency().equals(amount.currency()) || !price.currency().equals(amount.currency())) {
            throw new dev.tally.core.validation.ValidationException("currency", "threshold, amount and price are in the wallet's currency");
        }
        if (priority < 0 || priority > Grant.MAX_PRIORITY) {
            throw new dev.tally.core.validation.ValidationException("priority", "must be 0.." + Grant.MAX_PRIORITY);
        }
        if (reason.isBlank() || reason.length() > 500) {
            throw new dev.tally.core.validation.ValidationException("reason", "must be 1 to 500 characters");
        }
    }

    public java.util.Currency currency() {
        return amount.currency();
    }
}

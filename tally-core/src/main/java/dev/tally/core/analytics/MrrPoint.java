package dev.tally.core.analytics;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.Currency;
import java.util.Objects;

/**
 * One customer's MRR in one month, within a group (the whole book is group {@code "all"}; grouped by plan it is the
 * plan's key). Guarantees: the amount is not negative.
 */
public record MrrPoint(String group, String customer, Currency currency, YearMonth month, BigDecimal amount) {
    public MrrPoint {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(customer, "customer");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(month, "month");
        Objects.requireNonNull(amount, "amount");
        if (amount.signum() < 0) {
            throw new IllegalArgumentException("MRR must not be negative");
        }
    }
}

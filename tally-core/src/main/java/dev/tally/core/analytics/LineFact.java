package dev.tally.core.analytics;

import dev.tally.core.billing.LineKind;
import dev.tally.core.billing.Period;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of a finalized invoice as analytics sees it: the subscription (empty for one-off invoices), plan, charge,
 * meter (usage lines), kind, the period the line covers and its amount (rounded, as on the invoice).
 */
public record LineFact(Optional<String> subscription, String plan, String chargeKey, Optional<String> meter,
        LineKind kind, Period period, BigDecimal amount) {
    public LineFact {
        Objects.requireNonNull(subscription, "subscription");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(chargeKey, "chargeKey");
        Objects.requireNonNull(meter, "meter");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(amount, "amount");
    }

    /** A usage charge's line: rated usage, its minimum true-up or its maximum cap (what "usage revenue" sums). */
    public boolean isUsage() {
        return kind == LineKind.USAGE || kind == LineKind.MINIMUM_TRUE_UP || kind == LineKind.MAXIMUM_CAP;
    }
}

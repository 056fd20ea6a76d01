package dev.tally.core.analytics;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * The plan a subscription is on from {@code start} (until the next span): its key, the recurring amount it charges
 * per billing period (the sum of its flat fees, before discounts) and how many billing periods make a year
 * (12 monthly, 4 quarterly, 1 yearly, 52 weekly). Guarantees: amount not negative, periods per year positive.
 */
public record PlanSpan(String plan, Instant start, BigDecimal recurringPerPeriod, int periodsPerYear) {
    public PlanSpan {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(recurringPerPeriod, "recurringPerPeriod");
        if (recurringPerPeriod.signum() < 0) {
            throw new IllegalArgumentException("recurring amount must not be negative");
        }
        if (periodsPerYear < 1) {
            throw new IllegalArgumentException("periods per year must be positive");
        }
    }
}

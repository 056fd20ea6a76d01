package dev.tally.engine.entitlement;

import dev.tally.core.billing.Period;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An alert as it stands for one customer in its current billing period: the period (empty without an active
 * subscription), the value measured now (usage of the meter, or estimated spend), the base of percentage thresholds,
 * and each threshold with the value it stands for, whether the value reached it and when it fired.
 */
public record AlertStatus(Alert alert, String customer, Optional<Period> period, Optional<BigDecimal> value,
        Optional<BigDecimal> base, List<Threshold> thresholds) {

    /** One threshold this period. */
    public record Threshold(BigDecimal threshold, Optional<BigDecimal> amount, boolean crossed,
            Optional<Instant> firedAt) {
        /** Checks every field is present. */
        public Threshold {
            Objects.requireNonNull(threshold, "threshold");
            Objects.requireNonNull(amount, "amount");
            Objects.requireNonNull(firedAt, "firedAt");
        }
    }

    /** Checks every field is present; the thresholds are copied. */
    public AlertStatus {
        Objects.requireNonNull(alert, "alert");
        Objects.requireNonNull(customer, "customer");
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(base, "base");
        thresholds = List.copyOf(thresholds);
    }
}

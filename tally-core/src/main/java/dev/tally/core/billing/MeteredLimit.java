package dev.tally.core.billing;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * The quota of a metered feature: at most {@code limit} of the meter's usage per billing period, enforced as
 * {@code mode} says. A hard limit may carry a grace of {@code gracePercent} percent: the feature stays allowed
 * until usage reaches {@code limit × (1 + gracePercent / 100)} (the {@link #ceiling()}), which absorbs the overshoot
 * of requests already in flight when the limit is reached. A soft limit never blocks, so it has no grace.
 * Guarantees: a meter key matching {@link Plan#KEY}, a non-negative limit, a grace of 0 to
 * {@value #MAX_GRACE_PERCENT} percent, and a grace of zero for a soft limit.
 */
public record MeteredLimit(String meter, BigDecimal limit, LimitMode mode, BigDecimal gracePercent) {
    /** The largest grace, in percent of the limit. */
    public static final int MAX_GRACE_PERCENT = 1000;

    /** Validates (see the type's guarantees). */
    public MeteredLimit {
        if (meter == null) {
            throw new InvalidBillingException("meter", "is required");
        }
        if (!Plan.KEY.matcher(meter).matches()) {
            throw new InvalidBillingException("meter", "must be a meter key: " + Plan.KEY_RULE + ", got \"" + meter + "\"");
        }
        if (limit == null) {
            throw new InvalidBillingException("limit", "is required");
        }
        if (limit.signum() < 0) {
            throw new InvalidBillingException("limit", "must not be negative, got " + limit.toPlainString());
        }
        if (mode == null) {
            throw new InvalidBillingException("mode", "is required");
        }
        if (gracePercent == null) {
            throw new InvalidBillingException("grace_percent", "is required");
        }
        if (gracePercent.signum() < 0 || gracePercent.compareTo(BigDecimal.valueOf(MAX_GRACE_PERCENT)) > 0) {
            throw new InvalidBillingException("grace_percent", "must be between 0 and " + MAX_GRACE_PERCENT + ", got "
                    + gracePercent.toPlainString());
        }
        if (mode == LimitMode.SOFT && gracePercent.signum() != 0) {
            throw new InvalidBillingException("grace_percent", "applies only to hard limits (a soft limit never blocks)");
        }
    }

    /** A hard limit without grace. */
    public static MeteredLimit hard(String meter, BigDecimal limit) {
        return new MeteredLimit(meter, limit, LimitMode.HARD, BigDecimal.ZERO);
    }

    /** A soft limit. */
    public static MeteredLimit soft(String meter, BigDecimal limit) {
        return new MeteredLimit(meter, limit, LimitMode.SOFT, BigDecimal.ZERO);
    }

    /**
     * The usage at which a hard limit stops allowing the feature, exactly {@code limit × (1 + gracePercent / 100)};
     * written without trailing zeros; empty for a soft limit, which never blocks.
     */
    public Optional<BigDecimal> ceiling() {
        if (mode == LimitMode.SOFT) {
            return Optional.empty();
        }
        BigDecimal c = limit.add(limit.multiply(gracePercent).movePointLeft(2)).stripTrailingZeros();
        return Optional.of(c.scale() < 0 ? c.setScale(0) : c);
    }
}

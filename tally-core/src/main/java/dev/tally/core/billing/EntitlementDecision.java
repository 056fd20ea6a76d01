package dev.tally.core.billing;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a customer may use a feature now, and why not. The rules ({@link #decide}):
 * <ul>
 *   <li>a disabled feature is denied ({@link Denial#DISABLED});</li>
 *   <li>a boolean feature that is enabled is allowed;</li>
 *   <li>a metered feature with a hard limit is allowed while the period's usage is below its
 *       {@link MeteredLimit#ceiling() ceiling} (the limit plus grace), and denied ({@link Denial#LIMIT_REACHED})
 *       from the moment usage reaches it;</li>
 *   <li>a metered feature with a soft limit is always allowed; usage past the limit is reported as
 *       {@code overage}.</li>
 * </ul>
 * For metered features {@code remaining} is {@code max(0, limit − used)} (what is left of the limit, not of the
 * grace) and {@code overage} is {@code max(0, used − limit)}; both are empty for boolean features.
 */
public record EntitlementDecision(boolean allowed, Optional<Denial> denial, Optional<BigDecimal> remaining,
        Optional<BigDecimal> overage) {

    /** Why a feature is not allowed; {@link #wireName()} is the API spelling. */
    public enum Denial {
        /** The customer has no subscription active now. */
        NO_SUBSCRIPTION("no_active_subscription"),
        /** The customer's plan does not grant the feature (and no override does). */
        NOT_IN_PLAN("not_in_plan"),
        /** The feature is switched off (by the plan or an override). */
        DISABLED("disabled"),
        /** A hard limit (with its grace) is used up for this period. */
        LIMIT_REACHED("limit_reached"),
        /** The feature requires a positive live credit balance and the customer's wallet is used up. */
        BALANCE_DEPLETED("balance_depleted");

        private final String wireName;

        Denial(String wireName) {
            this.wireName = wireName;
        }

        /** The API spelling, e.g. {@code "limit_reached"}. */
        public String wireName() {
            return wireName;
        }

        /** The denial with this API spelling, or empty. */
        public static Optional<Denial> fromWireName(String name) {
            return Arrays.stream(values()).filter(d -> d.wireName.equals(name)).findFirst();
        }
    }

    /** Checks the record's consistency: a denial exactly when not allowed. */
    public EntitlementDecision {
        Objects.requireNonNull(denial, "denial");
        Objects.requireNonNull(remaining, "remaining");
        Objects.requireNonNull(overage, "overage");
        if (allowed == denial.isPresent()) {
            throw new IllegalArgumentException("a decision carries a denial exactly when it is not allowed");
        }
    }

    /** A denial without any quota figures (no subscription, not in the plan). */
    public static EntitlementDecision denied(Denial why) {
        return new EntitlementDecision(false, Optional.of(why), Optional.empty(), Optional.empty());
    }

    /**
     * Decides for a feature the customer has, given the meter's usage in the current period ({@code used} is
     * ignored for boolean features).
     */
    public static EntitlementDecision decide(Feature feature, BigDecimal used) {
        Objects.requireNonNull(feature, "feature");
        Objects.requireNonNull(used, "used");
        Optional<MeteredLimit> quota = feature.metered();
        Optional<BigDecimal> remaining = quota.map(q -> q.limit().subtract(used).max(BigDecimal.ZERO));
        Optional<BigDecimal> overage = quota.map(q -> used.subtract(q.limit()).max(BigDecimal.ZERO));
        if (!feature.enabled()) {
            return new EntitlementDecision(false, Optional.of(Denial.DISABLED), remaining, overage);
        }
        boolean reached = quota.flatMap(MeteredLimit::ceiling).filter(c -> used.compareTo(c) >= 0).isPresent();
        if (reached) {
            return new EntitlementDecision(false, Optional.of(Denial.LIMIT_REACHED), remaining, overage);
        }
        return new EntitlementDecision(true, Optional.empty(), remaining, overage);
    }

    /** Whether a hard limit is used up: the moment that records {@code entitlement.exhausted}. */
    public boolean exhausted() {
        return denial.equals(Optional.of(Denial.LIMIT_REACHED));
    }
}

package dev.tally.engine.entitlement;

import dev.tally.core.billing.EntitlementDecision;
import dev.tally.core.billing.Feature;
import dev.tally.core.billing.FeatureOverride;
import dev.tally.core.billing.Period;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * A customer's entitlement to one feature now: the feature as the customer has it (its plan's, changed by its
 * override; empty when it does not have it), the decision, the meter's usage in the current billing period (for
 * metered features), the period (empty without an active subscription), the plan and override it came from, and
 * the customer's suspension if one is in force (a denying one makes the decision {@code customer_suspended}; a soft
 * one, or a grace not over yet, leaves the decision alone).
 */
public record EntitlementAnswer(String customer, String feature, Optional<Feature> effective,
        EntitlementDecision decision, Optional<BigDecimal> used, Optional<Period> period, Optional<String> plan,
        Optional<FeatureOverride> override, Optional<Suspension> suspension) {

    /** Checks every field is present. */
    public EntitlementAnswer {
        Objects.requireNonNull(customer, "customer");
        Objects.requireNonNull(feature, "feature");
        Objects.requireNonNull(effective, "effective");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(used, "used");
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(override, "override");
        Objects.requireNonNull(suspension, "suspension");
    }

    public boolean allowed() {
        return decision.allowed();
    }
}

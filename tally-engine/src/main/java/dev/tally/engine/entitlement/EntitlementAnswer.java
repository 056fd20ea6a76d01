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
 * metered features), the period (empty without an active subscription) and the plan and override it came from.
 */
public record EntitlementAnswer(String customer, String feature, Optional<Feature> effective,
        EntitlementDecision decision, Optional<BigDecimal> used, Optional<Period> period, Optional<String> plan,
        Optional<FeatureOverride> override) {

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
    }

    public boolean allowed() {
        return decision.allowed();
    }
}

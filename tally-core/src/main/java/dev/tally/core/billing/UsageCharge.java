package dev.tally.core.billing;

import dev.tally.core.pricing.ChargePricing;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A charge for the usage measured by a meter, restricted by {@code filters} on the meter's group-by dimensions
 * (dimension name to the accepted values; empty means all usage of the meter) and priced by {@code pricing} (a
 * price model with included quantity, minimum, maximum and pricing by dimension, rated by
 * {@link dev.tally.core.pricing.ChargeRater}). Guarantees a valid key and name, a meter key matching
 * {@link Plan#KEY}, non-blank filter dimensions each with at least one non-null value, and pricing by dimension only
 * for quantity models (per-event models are rated from one list of event values). Whether the filter dimensions
 * are group-by dimensions of the meter is checked where meters are known, not here.
 */
public record UsageCharge(String key, String name, String meter, Map<String, Set<String>> filters,
        ChargePricing pricing) implements Charge {

    /** Validates (see the type's guarantees); the filters are copied and unmodifiable. */
    public UsageCharge {
        Checks.keyAndName(key, name);
        if (meter == null) {
            throw new InvalidBillingException("meter", "is required");
        }
        if (!Plan.KEY.matcher(meter).matches()) {
            throw new InvalidBillingException("meter", "must be a meter key: " + Plan.KEY_RULE + ", got \"" + meter + "\"");
        }
        if (filters == null) {
            throw new InvalidBillingException("filters", "must not be null");
        }
        Map<String, Set<String>> copy = new HashMap<>();
        for (Map.Entry<String, Set<String>> e : filters.entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank()) {
                throw new InvalidBillingException("filters", "must not have a blank dimension name");
            }
            if (e.getValue() == null || e.getValue().isEmpty()) {
                throw new InvalidBillingException("filters." + e.getKey(), "must list at least one value");
            }
            if (e.getValue().stream().anyMatch(v -> v == null)) {
                throw new InvalidBillingException("filters." + e.getKey(), "must not contain null");
            }
            copy.put(e.getKey(), Set.copyOf(e.getValue()));
        }
        filters = Map.copyOf(copy);
        if (pricing == null) {
            throw new InvalidBillingException("price", "is required");
        }
        if (pricing.dimension().isPresent() && pricing.model().ratedPerEvent()) {
            throw new InvalidBillingException("dimension", "cannot be used with a " + pricing.model().modelName()
                    + " price in a plan: per-event prices are rated from one list of events (use filters, or one"
                    + " charge per dimension value)");
        }
    }

    /** Whether the charge is rated from per-event values (percentage, graduated_percentage, dynamic). */
    public boolean ratedPerEvent() {
        return pricing.model().ratedPerEvent();
    }
}

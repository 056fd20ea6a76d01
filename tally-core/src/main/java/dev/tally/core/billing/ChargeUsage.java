package dev.tally.core.billing;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The usage of one usage charge over one segment of a billing period, as measured by the charge's meter (version
 * {@code meterVersion}) from {@code eventCount} events. A quantity model takes {@code quantityByDimension}: one
 * entry with the key {@code ""} when the charge has no dimension (no entry means zero), or one entry per dimension
 * value present in the usage when it is priced by dimension; a per-event model takes {@code eventValues} in event
 * order. Guarantees: usage of the kind the charge's price takes (and only that kind), no negative quantity or
 * value, no dimension values for a charge without a dimension, a non-negative event count and a meter version of
 * at least 1.
 */
public record ChargeUsage(UsageCharge charge, Map<String, BigDecimal> quantityByDimension, List<BigDecimal> eventValues,
        long eventCount, int meterVersion) {

    /** The key of the one quantity of a charge without a dimension. */
    public static final String NO_DIMENSION = "";

    /** Validates (see the type's guarantees); the map and the list are copied and unmodifiable. */
    public ChargeUsage {
        Objects.requireNonNull(charge, "charge");
        Objects.requireNonNull(quantityByDimension, "quantityByDimension");
        Objects.requireNonNull(eventValues, "eventValues");
        Map<String, BigDecimal> quantities = new HashMap<>();
        quantityByDimension.forEach((value, quantity) -> {
            Objects.requireNonNull(value, "dimension value");
            if (quantity == null || quantity.signum() < 0) {
                throw new InvalidBillingException("quantity", "of " + charge.key()
                        + (value.isEmpty() ? "" : " for " + value) + " must not be negative, got " + quantity);
            }
            quantities.put(value, quantity);
        });
        quantityByDimension = Map.copyOf(quantities);
        for (BigDecimal v : eventValues) {
            if (v == null || v.signum() < 0) {
                throw new InvalidBillingException("events", "of " + charge.key() + " must not have a negative value, got " + v);
            }
        }
        eventValues = List.copyOf(eventValues);
        if (charge.ratedPerEvent()) {
            if (!quantityByDimension.isEmpty()) {
                throw new InvalidBillingException("quantity", "cannot be given for " + charge.key() + ": its "
                        + charge.pricing().model().modelName() + " price is rated from event values");
            }
        } else {
            if (!eventValues.isEmpty()) {
                throw new InvalidBillingException("events", "cannot be given for " + charge.key() + ": its "
                        + charge.pricing().model().modelName() + " price is rated from a quantity");
            }
            if (charge.pricing().dimension().isEmpty()
                    && !quantityByDimension.keySet().stream().allMatch(NO_DIMENSION::equals)) {
                throw new InvalidBillingException("quantity", "of " + charge.key()
                        + " must have only the key \"\": the charge is not priced by dimension");
            }
        }
        if (eventCount < 0) {
            throw new InvalidBillingException("event_count", "must not be negative, got " + eventCount);
        }
        if (meterVersion < 1) {
            throw new InvalidBillingException("meter_version", "must be at least 1, got " + meterVersion);
        }
    }

    /** Usage of a quantity-priced charge without a dimension. */
    public static ChargeUsage quantity(UsageCharge charge, BigDecimal quantity, long eventCount, int meterVersion) {
        Objects.requireNonNull(quantity, "quantity");
        return new ChargeUsage(charge, Map.of(NO_DIMENSION, quantity), List.of(), eventCount, meterVersion);
    }

    /** Usage of a charge priced by dimension: the quantity of each dimension value present. */
    public static ChargeUsage byDimension(UsageCharge charge, Map<String, BigDecimal> quantities, long eventCount,
            int meterVersion) {
        return new ChargeUsage(charge, quantities, List.of(), eventCount, meterVersion);
    }

    /** Usage of a per-event charge: the events' values in event order (the event count is their number). */
    public static ChargeUsage events(UsageCharge charge, List<BigDecimal> values, int meterVersion) {
        return new ChargeUsage(charge, Map.of(), values, values.size(), meterVersion);
    }
}

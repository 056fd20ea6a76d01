package dev.tally.core.pricing;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * {@code percentage}: each event's value is a monetary amount (a transaction) and is charged
 * {@code value × rate / 100 + fixedFee}, clamped to {@code [minPerEvent, maxPerEvent]} when set.
 * Allowances ({@link FreeAllowance}), over the period's events in event-time order, as Lago's
 * {@code free_units_per_events} and {@code free_units_per_total_aggregation}: the first {@code freeEvents}
 * events and the first {@code freeAmount} of value are free, and when both are set the allowance ends at
 * whichever limit is reached first. A free event pays nothing (no percentage, no fixed fee, no minimum); the
 * event whose running total crosses the free units is charged on the part above them and pays the fixed fee.
 * Guarantees non-negative rate, fees, allowances and bounds, and {@code minPerEvent <= maxPerEvent}.
 */
public record PercentagePrice(BigDecimal rate, BigDecimal fixedFee, int freeEvents, BigDecimal freeAmount,
        Optional<BigDecimal> minPerEvent, Optional<BigDecimal> maxPerEvent) implements PriceModel {

    /** Validates (see the type's guarantees). */
    public PercentagePrice {
        Decimals.nonNegative(rate, "rate");
        Decimals.nonNegative(fixedFee, "fixed_fee");
        if (freeEvents < 0) {
            throw new InvalidPriceException("free_events", "must not be negative, got " + freeEvents);
        }
        Decimals.nonNegative(freeAmount, "free_amount");
        Decimals.nonNegative(minPerEvent, "min_per_event");
        Decimals.nonNegative(maxPerEvent, "max_per_event");
        if (minPerEvent.isPresent() && maxPerEvent.isPresent()
                && minPerEvent.get().compareTo(maxPerEvent.get()) > 0) {
            throw new InvalidPriceException("min_per_event", "must not be greater than max_per_event");
        }
    }

    /** A plain percentage: no fixed fee, no allowances, no per-event bounds. */
    public static PercentagePrice of(BigDecimal rate) {
        return new PercentagePrice(rate, BigDecimal.ZERO, 0, BigDecimal.ZERO, Optional.empty(), Optional.empty());
    }

    @Override
    public String modelName() {
        return "percentage";
    }

    @Override
    public boolean ratedPerEvent() {
        return true;
    }
}

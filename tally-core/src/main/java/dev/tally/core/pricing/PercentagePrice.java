package dev.tally.core.pricing;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * {@code percentage}: each event's value is a monetary amount (a transaction) and is charged
 * {@code value × rate / 100 + fixedFee}, clamped to {@code [minPerEvent, maxPerEvent]} when set.
 * Allowances, applied in event order: the first {@code freeEvents} events are free (no percentage, no
 * fixed fee); then {@code freeAmount} of value is not charged: an event whose value fits in what is
 * left of it is free, the event that exhausts it is charged on the part above it. Guarantees
 * non-negative rate, fees, allowances and bounds, and {@code minPerEvent <= maxPerEvent}.
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

package dev.tally.core.pricing;

import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a plan charge is priced: a price model plus the charge-level modifiers.
 * <ul>
 *   <li>{@code includedQuantity}: units included in the plan, subtracted before rating (quantity models
 *       only; per-event models have their own {@code free_events}/{@code free_amount}).</li>
 *   <li>{@code minimumAmount}: a minimum commitment; a shortfall is charged as a true-up line.</li>
 *   <li>{@code maximumAmount}: a cap; an excess is removed by a negative capping line.</li>
 *   <li>{@code dimension} and {@code byDimension}: usage grouped by a dimension (e.g. {@code model});
 *       each dimension value is rated with its own model from {@code byDimension}, or with {@code model}
 *       when it has no entry.</li>
 * </ul>
 * Guarantees: non-negative included quantity and bounds; {@code minimumAmount <= maximumAmount};
 * {@code byDimension} only with a dimension name; every model of the charge rated from the same kind of
 * usage; no included quantity with per-event models or with dimensions (put a per-dimension allowance in
 * each dimension's model, e.g. a free first tier).
 */
public record ChargePricing(PriceModel model, BigDecimal includedQuantity, Optional<BigDecimal> minimumAmount,
        Optional<BigDecimal> maximumAmount, Optional<String> dimension, Map<String, PriceModel> byDimension) {

    /** Validates (see the type's guarantees); the map is copied and unmodifiable. */
    public ChargePricing {
        if (model == null) {
            throw new InvalidPriceException("price", "is required");
        }
        Decimals.nonNegative(includedQuantity, "included_quantity");
        Decimals.nonNegative(minimumAmount, "minimum_amount");
        Decimals.nonNegative(maximumAmount, "maximum_amount");
        Objects.requireNonNull(dimension, "dimension");
        Objects.requireNonNull(byDimension, "byDimension");
        byDimension = Map.copyOf(byDimension);
        if (minimumAmount.isPresent() && maximumAmount.isPresent()
                && minimumAmount.get().compareTo(maximumAmount.get()) > 0) {
            throw new InvalidPriceException("minimum_amount", "must not be greater than maximum_amount");
        }
        if (includedQuantity.signum() > 0 && model.ratedPerEvent()) {
            throw new InvalidPriceException("included_quantity", "applies only to quantity models; a "
                    + model.modelName() + " price is rated per event (use free_events or free_amount)");
        }
        if (dimension.isPresent() && dimension.get().isBlank()) {
            throw new InvalidPriceException("dimension", "must not be blank");
        }
        if (!byDimension.isEmpty() && dimension.isEmpty()) {
            throw new InvalidPriceException("dimension", "is required when prices are given by dimension value");
        }
        if (dimension.isPresent() && includedQuantity.signum() > 0) {
            throw new InvalidPriceException("included_quantity", "cannot be combined with pricing by dimension;"
                    + " put the allowance in each dimension value's price (e.g. a free first tier)");
        }
        for (Map.Entry<String, PriceModel> e : byDimension.entrySet()) {
            if (e.getValue().ratedPerEvent() != model.ratedPerEvent()) {
                throw new InvalidPriceException("by_dimension." + e.getKey(), "must be rated from the same kind of usage as "
                        + "the default " + model.modelName() + " price (" + (model.ratedPerEvent() ? "events" : "a quantity") + ")");
            }
        }
    }

    /** A charge priced by the model alone: nothing included, no minimum, no maximum, no dimension. */
    public static ChargePricing of(PriceModel model) {
        return new ChargePricing(model, BigDecimal.ZERO, Optional.empty(), Optional.empty(), Optional.empty(), Map.of());
    }

    /** The same charge with an included quantity. */
    public ChargePricing withIncludedQuantity(BigDecimal quantity) {
        return new ChargePricing(model, quantity, minimumAmount, maximumAmount, dimension, byDimension);
    }

    /** The same charge with a minimum commitment. */
    public ChargePricing withMinimumAmount(BigDecimal amount) {
        return new ChargePricing(model, includedQuantity, Optional.of(Objects.requireNonNull(amount)), maximumAmount,
                dimension, byDimension);
    }

    /** The same charge with a maximum amount. */
    public ChargePricing withMaximumAmount(BigDecimal amount) {
        return new ChargePricing(model, includedQuantity, minimumAmount, Optional.of(Objects.requireNonNull(amount)),
                dimension, byDimension);
    }

    /** The same charge priced by the values of a dimension, with per-value models (others use {@link #model()}). */
    public ChargePricing withDimension(String name, Map<String, PriceModel> modelsByValue) {
        return new ChargePricing(model, includedQuantity, minimumAmount, maximumAmount,
                Optional.of(Objects.requireNonNull(name)), modelsByValue);
    }
}

package dev.tally.core.pricing;

import dev.tally.core.money.RoundingRule;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Rates a charge: its model plus the modifiers of {@link ChargePricing}, in this order:
 * <ol>
 *   <li>included quantity: {@code billable = max(0, quantity − included)}; the included part is shown
 *       as a zero-priced "Included usage" line;</li>
 *   <li>the model rates the billable usage (per dimension value, lines prefixed {@code "model=big: "},
 *       values in ascending order);</li>
 *   <li>minimum and maximum are compared with the sum of the lines each rounded by the
 *       {@link RoundingRule}: below the rounded minimum, a "Minimum commitment true-up" line adds the
 *       difference; above the rounded maximum, a negative "Maximum amount cap" line removes the excess.</li>
 * </ol>
 * Guarantee: with the lines rounded once each, the charge totals at least the rounded minimum and at most
 * the rounded maximum, exactly (the adjustment lines are already at the minor unit). The currency is
 * needed only for that comparison; all other amounts stay exact and unrounded.
 */
public final class ChargeRater {
    private ChargeRater() {
    }

    /**
     * Rates usage for a charge without dimensions.
     *
     * @throws InvalidUsageException if the charge is priced by dimension or the usage does not fit the model
     */
    public static Rating rate(ChargePricing pricing, Usage usage, Currency currency) {
        Objects.requireNonNull(pricing, "pricing");
        Objects.requireNonNull(usage, "usage");
        RoundingRule.minorUnitDigits(currency);
        if (pricing.dimension().isPresent()) {
            throw new InvalidUsageException("usage", "must be given per value of dimension " + pricing.dimension().get());
        }
        List<RatedLine> lines = new ArrayList<>();
        Usage billable = usage;
        if (usage instanceof Usage.Quantity q && pricing.includedQuantity().signum() > 0) {
            BigDecimal included = Decimals.min(q.value(), pricing.includedQuantity());
            if (included.signum() > 0) {
                lines.add(RatedLine.of("Included usage (" + Decimals.plain(pricing.includedQuantity()) + " included)",
                        included, BigDecimal.ZERO));
            }
            billable = Usage.quantity(q.value().subtract(included));
        }
        lines.addAll(Rater.rate(pricing.model(), billable).lines());
        return withCommitments(pricing, lines, currency);
    }

    /**
     * Rates usage grouped by the values of the charge's dimension: each value with its own model (or the
     * charge's default model), lines prefixed {@code "<dimension>=<value>: "}, values in ascending order.
     * Only the values present in the map are rated. Minimum and maximum apply to the whole charge.
     *
     * @throws InvalidUsageException if the charge has no dimension or a value's usage does not fit its model
     */
    public static Rating rateByDimension(ChargePricing pricing, Map<String, Usage> usageByValue, Currency currency) {
        Objects.requireNonNull(pricing, "pricing");
        Objects.requireNonNull(usageByValue, "usageByValue");
        RoundingRule.minorUnitDigits(currency);
        String dimension = pricing.dimension().orElseThrow(
                () -> new InvalidUsageException("usage", "cannot be given by dimension: the charge has no dimension"));
        List<RatedLine> lines = new ArrayList<>();
        for (Map.Entry<String, Usage> e : new TreeMap<>(usageByValue).entrySet()) {
            PriceModel model = pricing.byDimension().getOrDefault(e.getKey(), pricing.model());
            Rating rating;
            try {
                rating = Rater.rate(model, Objects.requireNonNull(e.getValue(), e.getKey()));
            } catch (InvalidUsageException ex) {
                throw ex.under("usage." + e.getKey());
            }
            String prefix = dimension + "=" + e.getKey() + ": ";
            rating.lines().forEach(l -> lines.add(l.prefixed(prefix)));
        }
        return withCommitments(pricing, lines, currency);
    }

    private static Rating withCommitments(ChargePricing pricing, List<RatedLine> lines, Currency currency) {
        BigDecimal rounded = lines.stream()
                .map(l -> RoundingRule.round(l.amount(), currency))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        if (pricing.minimumAmount().isPresent()) {
            BigDecimal minimum = RoundingRule.round(pricing.minimumAmount().get(), currency);
            if (rounded.compareTo(minimum) < 0) {
                lines.add(RatedLine.of("Minimum commitment true-up (minimum " + Decimals.plain(minimum) + ")",
                        BigDecimal.ONE, minimum.subtract(rounded)));
            }
        }
        if (pricing.maximumAmount().isPresent()) {
            BigDecimal maximum = RoundingRule.round(pricing.maximumAmount().get(), currency);
            if (rounded.compareTo(maximum) > 0) {
                lines.add(RatedLine.of("Maximum amount cap (maximum " + Decimals.plain(maximum) + ")",
                        BigDecimal.ONE, maximum.subtract(rounded)));
            }
        }
        return Rating.of(lines);
    }
}

/**
 * Pricing and rating, pure and exact: the price models of the API ({@code unit}, {@code package},
 * {@code graduated}, {@code volume}, {@code percentage}, {@code graduated_percentage}, {@code dynamic})
 * as validated records under {@link dev.tally.core.pricing.PriceModel}; {@link dev.tally.core.pricing.Rater}
 * turns a quantity or a list of per-event values into explainable {@link dev.tally.core.pricing.RatedLine}s
 * whose amounts are exact and unrounded; {@link dev.tally.core.pricing.ChargeRater} adds the charge-level
 * modifiers (included quantity, minimum true-up, maximum cap, pricing by dimension);
 * {@link dev.tally.core.pricing.PriceModelJson} and {@link dev.tally.core.pricing.PricePreview} speak the
 * JSON shapes of {@code API.md}. The semantics, with worked examples, are in {@code docs/PRICING.md}.
 */
package dev.tally.core.pricing;

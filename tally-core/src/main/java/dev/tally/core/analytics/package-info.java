/**
 * Revenue analytics, pure and exact (no I/O, no clock, no floating point): from facts about subscriptions and
 * finalized invoices ({@link dev.tally.core.analytics.SubscriptionFact}, {@link dev.tally.core.analytics.InvoiceFact})
 * it derives each customer's monthly recurring revenue by the normalisation rule of docs/ANALYTICS.md
 * ({@link dev.tally.core.analytics.MrrNormaliser}), the month-over-month movements (new, expansion, contraction,
 * churned, reactivated) that add up exactly to the change in MRR ({@link dev.tally.core.analytics.MrrMovements}),
 * invoiced/credited/collected/outstanding revenue grouped by a dimension ({@link dev.tally.core.analytics.RevenueReport})
 * and the top customers by usage revenue. Conversion to a reporting currency uses only rates the operator gives
 * ({@link dev.tally.core.analytics.ExchangeRates}).
 */
package dev.tally.core.analytics;

/**
 * Billing arithmetic, pure and exact: billing periods in the customer's time zone
 * ({@link dev.tally.core.billing.BillingCalendar}, calendar or anniversary, weekly to yearly, with DST handled by
 * placing every boundary at a local midnight), proration by local calendar days
 * ({@link dev.tally.core.billing.Proration}), plans with flat and usage charges and customers as validated records
 * with their strict JSON forms ({@link dev.tally.core.billing.PlanJson}, {@link dev.tally.core.billing.CustomerJson}),
 * and the lines and totals of one billing period ({@link dev.tally.core.billing.InvoiceCalculator}): flat fees
 * prorated by day, usage rated under each plan's own prices, every line rounded once and explainable (meter and
 * plan versions, quantity, event count). Nothing here reads a clock or does I/O; the semantics, with worked
 * examples, are in {@code docs/BILLING.md}.
 */
package dev.tally.core.billing;

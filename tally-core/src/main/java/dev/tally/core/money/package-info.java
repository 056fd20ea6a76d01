/**
 * Exact money: a {@link dev.tally.core.money.Money} is a {@code BigDecimal} amount with its ISO 4217
 * currency, never a {@code double}; amounts are rounded only where {@link dev.tally.core.money.RoundingRule}
 * says (once per invoice line, once per tax rate, HALF_UP to the currency's minor unit), and
 * {@link dev.tally.core.money.InvoiceTotals} adds rounded lines and rounded taxes without ever rounding a
 * sum again, so an invoice's lines always add up to its total.
 */
package dev.tally.core.money;

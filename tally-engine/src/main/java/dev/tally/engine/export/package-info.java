/**
 * Exports for accounting: finalized invoices (a row per line), credit notes (a row per credited line) and payment
 * facts (a row per fact) of a period as CSV (RFC 4180) with fixed, documented columns ({@link
 * dev.tally.engine.export.AccountingExports}); amounts are exact decimals at the currency's minor unit, with the
 * main ones also in integer minor units. The columns are part of the API: docs/PAYMENTS.md lists them, and a test
 * holds the header lines.
 */
package dev.tally.engine.export;

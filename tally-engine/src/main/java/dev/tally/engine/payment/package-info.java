/**
 * Payments of invoices, kept as a ledger: every payment attempt, success, failure, refund or dispute is an
 * immutable fact with its provider, reference, reason, amount and time ({@code payment_facts}); an invoice's payment
 * status, amount paid and amount due are a pure function of its facts ({@link dev.tally.engine.payment.PaymentLedger}),
 * separate from the invoice's own status. Facts come from a {@link dev.tally.engine.payment.PaymentProvider}
 * (today only {@code manual}); {@link dev.tally.engine.payment.Payments} is the facade that records them in one
 * transaction with their webhook messages.
 */
package dev.tally.engine.payment;

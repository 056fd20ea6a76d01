/**
 * The arithmetic of commitments on a subscription, pure and exact (no I/O, no clock, no floating point): a minimum
 * commitment per period tops the period's charges up to its minimum, prorated by day for a partial period
 * ({@link dev.tally.core.commitment.MinimumTrueUp}), and a prepaid commitment over a contract term pays an invoice's
 * eligible charges from what is left of it, the rest billed as overage at a rate
 * ({@link dev.tally.core.commitment.PrepaidDrawdown}); what is left at the end of the term is forfeited or rolled over
 * ({@link dev.tally.core.commitment.TermEnd}). The prepaid commitment's remainder is a ledger built from
 * {@link dev.tally.core.ledger} types, never a counter.
 */
package dev.tally.core.commitment;

/**
 * Credit balances as ledgers (DESIGN principle 12), pure arithmetic with no I/O: a customer's
 * {@link dev.tally.core.ledger.Wallet} in one currency holds {@link dev.tally.core.ledger.Grant}s, and its balance is
 * the sum of immutable {@link dev.tally.core.ledger.LedgerEntry}s (grant, drawdown by an invoice, expiry, void,
 * reversal of a drawdown, manual adjustment), each with a reason and a source, never a counter edited in place;
 * {@link dev.tally.core.ledger.InvoiceCredits} applies usable grants to an invoice's total in the documented drawdown
 * order (priority, then soonest expiry, then oldest) and turns a negative total into a credit to the balance.
 */
package dev.tally.core.ledger;

/**
 * Commitments on subscriptions: a minimum spend per billing period, topped up by a true-up line, and prepaid
 * commitments over a contract term, invoiced up front, drawn down by each invoice's charges before tax (a
 * {@code commitment_drawdown} line naming the commitment), with overage at a rate once exhausted and what is left at
 * the end forfeited, rolled over into a next term or granted as credits. A prepaid commitment's remainder is a ledger
 * of immutable entries checked by the credit ledger's {@link dev.tally.core.ledger.Wallet}; the facade is
 * {@link dev.tally.engine.billing.commit.Commitments}, which billing calls when it composes, finalizes and voids
 * invoices. See docs/COMMITMENTS.md.
 */
package dev.tally.engine.billing.commit;

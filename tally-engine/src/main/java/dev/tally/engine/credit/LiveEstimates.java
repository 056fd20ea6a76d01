package dev.tally.engine.credit;

import dev.tally.core.ledger.InvoiceCredits;
import java.util.List;

/**
 * What a customer's live subscriptions would invoice if their current periods closed now (billing's usage estimate):
 * the estimates a wallet's live balance is computed with ({@link dev.tally.core.ledger.Wallet#liveBalance}).
 */
@FunctionalInterface
public interface LiveEstimates {
    List<InvoiceCredits.Estimate> of(String tenant, String customer);
}

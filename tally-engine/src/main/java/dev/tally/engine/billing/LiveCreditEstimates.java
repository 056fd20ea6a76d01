package dev.tally.engine.billing;

import dev.tally.core.ledger.InvoiceCredits;
import dev.tally.engine.credit.LiveEstimates;
import java.util.ArrayList;
import java.util.List;

/**
 * The estimates of a customer's live balance that automatic top-ups compare with their threshold: each live
 * subscription's current period, priced as {@link Billing#currentUsage} (and {@code GET /v1/customers/{id}/usage})
 * prices it, without the charges already on an invoice: the same figure as the wallets route's live balance.
 */
final class LiveCreditEstimates implements LiveEstimates {
    private final Billing billing;

    LiveCreditEstimates(Billing billing) {
        this.billing = billing;
    }

    @Override
    public List<InvoiceCredits.Estimate> of(String tenant, String customer) {
        List<InvoiceCredits.Estimate> out = new ArrayList<>();
        for (UsageEstimate e : billing.currentUsage(tenant, customer)) {
            // the figure the wallets route shows: what is already on an invoice is not counted again
            out.add(dev.tally.engine.credit.live.LiveCredits.stillToInvoice(e));
        }
        return out;
    }
}

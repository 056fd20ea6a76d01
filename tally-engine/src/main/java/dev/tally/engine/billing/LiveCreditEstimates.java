package dev.tally.engine.billing;

import dev.tally.core.ledger.InvoiceCredits;
import dev.tally.engine.credit.LiveEstimates;
import java.util.List;

/**
 * The estimates of a customer's live balance: each live subscription's current period, priced as
 * {@link Billing#currentUsage} (and {@code GET /v1/customers/{id}/usage}) prices it, less what is already on an
 * invoice: the same figures as the wallets' {@code live_balance}.
 */
final class LiveCreditEstimates implements LiveEstimates {
    private final Billing billing;

    LiveCreditEstimates(Billing billing) {
        this.billing = billing;
    }

    @Override
    public List<InvoiceCredits.Estimate> of(String tenant, String customer) {
        return billing.currentUsage(tenant, customer).stream().map(UsageEstimate::stillToInvoice).toList();
    }
}

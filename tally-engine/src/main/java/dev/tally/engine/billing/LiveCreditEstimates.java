package dev.tally.engine.billing;

import dev.tally.core.ledger.InvoiceCredits;
import dev.tally.core.money.Money;
import dev.tally.engine.credit.LiveEstimates;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The estimates of a customer's live balance: each live subscription's current period, priced as
 * {@link Billing#currentUsage} (and {@code GET /v1/customers/{id}/usage}) prices it, as if it were invoiced now.
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
            Map<String, Money> byCharge = new TreeMap<>();
            e.charges().forEach(ch -> byCharge.put(ch.charge(), new Money(ch.amount(), e.estimate().currency())));
            out.add(new InvoiceCredits.Estimate(e.estimate().total(), byCharge));
        }
        return out;
    }
}

package dev.tally.engine.billing;

import dev.tally.core.billing.Customer;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LineKind;
import dev.tally.core.billing.Period;
import dev.tally.core.ledger.InvoiceCredits;
import dev.tally.core.money.InvoiceTotals;
import dev.tally.core.money.Money;
import dev.tally.core.money.TaxRate;
import dev.tally.engine.billing.commit.Commitments;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the invoice closing the current period has still to bill for it, as credits will pay it (the figure the live
 * balance and automatic top-ups compare against; docs/CREDITS.md §15): the period's lines so far without those already
 * on an invoice (the in-advance base of a charge billed at the period's start; a seat change to come stays), the
 * coupons' discounts on those lines as the closing invoice will compute them, the prepaid commitments' drawdown and
 * overage on them exactly as the composer adds them ({@link Commitments#drawdowns}, minus the up-front fee of a term
 * starting at the period's end, which is the next period's), taxed by the subscription's rates.
 */
final class StillToInvoice {
    private StillToInvoice() {
    }

    /**
     * @param arrears the period's lines billed at its end so far (usage, in-arrears fees, seat changes)
     * @param advance the period's in-advance fees
     * @param invoiced the charges whose in-advance fee of the period is already on an invoice
     */
    static InvoiceCredits.Estimate of(Subscription s, Customer c, Period period, List<InvoiceLine> arrears,
            List<InvoiceLine> advance, Set<String> invoiced, SubscriptionPricing discounts, Commitments commitments,
            List<TaxRate> rates) {
        List<InvoiceLine> lines = new ArrayList<>(arrears);
        advance.stream().filter(l -> !invoiced.contains(l.chargeKey())).forEach(lines::add);
        lines.addAll(discounts.discounts(s, c, period, period.end(), lines));
        commitments.drawdowns(s, c, period.end(), lines).stream()
                .filter(l -> l.kind() != LineKind.COMMITMENT_FEE).forEach(lines::add);
        Map<String, Money> byCharge = new TreeMap<>();
        for (InvoiceLine l : lines) {
            byCharge.merge(l.chargeKey(), l.amount(), Money::plus);
        }
        InvoiceTotals totals = InvoiceTotals.of(c.currency(), lines.stream().map(InvoiceLine::amount).toList(), rates);
        return new InvoiceCredits.Estimate(totals.total(), byCharge);
    }
}

package dev.tally.engine.billing;

import dev.tally.core.billing.Period;
import dev.tally.core.ledger.InvoiceCredits;
import dev.tally.core.money.InvoiceTotals;
import dev.tally.core.money.Money;
import dev.tally.core.money.TaxLine;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The current period of one subscription, priced exactly as its invoices will
 * price it for the usage so far: in-advance fees of the period, in-arrears
 * fees, usage charges; plus taxes, the estimated total. {@code alreadyInvoiced}
 * is the part of the subtotal that is already on an invoice (the period's
 * in-advance fees, billed at its start); the rest comes with the invoice that
 * closes the period. {@code timezone} is the zone the period is computed in
 * (the customer's zone in force when the subscription started).
 */
public record UsageEstimate(String subscription, String plan, Period period, ZoneId timezone, List<ChargeEstimate> charges,
        InvoiceTotals estimate, BigDecimal alreadyInvoiced) {
    public UsageEstimate {
        charges = List.copyOf(charges);
    }

    /**
     * What the period's invoices have still to bill, as credits would pay it: the estimate without the charges
     * already on an invoice (an in-advance fee billed at the period's start, which drew its credits then), taxed by
     * the estimate's rates. The live balance and automatic top-ups both compare against this.
     */
    public InvoiceCredits.Estimate stillToInvoice() {
        Currency currency = estimate.currency();
        List<Money> lines = new ArrayList<>(estimate.lines());
        Map<String, Money> byCharge = new TreeMap<>();
        boolean invoiced = false;
        for (ChargeEstimate ch : charges) {
            if (ch.invoiced().isPresent()) {
                invoiced = true;
                ch.lines().forEach(l -> lines.remove(l.amount()));
            } else {
                byCharge.put(ch.charge(), new Money(ch.amount(), currency));
            }
        }
        if (!invoiced) {
            return new InvoiceCredits.Estimate(estimate.total(), byCharge);
        }
        InvoiceTotals rest = InvoiceTotals.of(currency, lines, estimate.taxes().stream().map(TaxLine::rate).toList());
        return new InvoiceCredits.Estimate(rest.total(), byCharge);
    }
}

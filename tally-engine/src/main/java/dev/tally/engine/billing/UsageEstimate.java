package dev.tally.engine.billing;

import dev.tally.core.billing.Period;
import dev.tally.core.ledger.InvoiceCredits;
import dev.tally.core.money.InvoiceTotals;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.List;

/**
 * The current period of one subscription, priced exactly as its invoices will
 * price it for the usage so far: in-advance fees of the period, in-arrears
 * fees, usage charges; plus taxes, the estimated total. {@code alreadyInvoiced}
 * is the part of the subtotal that is already on an invoice (the period's
 * in-advance fees, billed at its start); the rest comes with the invoice that
 * closes the period. {@code timezone} is the zone the period is computed in
 * (the customer's zone in force when the subscription started).
 * {@code stillToInvoice} is what the period's invoices have still to bill, as
 * credits would pay it: the period's lines without those already on an invoice
 * (a seat change still to come stays), the coupons' discounts on them, then
 * what a prepaid commitment will pay of them before tax (its drawdown and
 * overage, as the invoice composer adds them), taxed by the estimate's rates.
 * The live balance and automatic top-ups both compare against it.
 */
public record UsageEstimate(String subscription, String plan, Period period, ZoneId timezone, List<ChargeEstimate> charges,
        InvoiceTotals estimate, BigDecimal alreadyInvoiced, InvoiceCredits.Estimate stillToInvoice) {
    public UsageEstimate {
        charges = List.copyOf(charges);
        java.util.Objects.requireNonNull(stillToInvoice, "stillToInvoice");
    }
}

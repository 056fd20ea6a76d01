package dev.tally.engine.billing;

import dev.tally.core.billing.Period;
import dev.tally.core.money.InvoiceTotals;
import java.util.List;

/**
 * The current period of one subscription, priced exactly as its invoices will
 * price it for the usage so far: in-advance fees of the period, in-arrears
 * fees, usage charges; plus taxes, the estimated total.
 */
public record UsageEstimate(String subscription, String plan, Period period, List<ChargeEstimate> charges,
        InvoiceTotals estimate) {
    public UsageEstimate {
        charges = List.copyOf(charges);
    }
}

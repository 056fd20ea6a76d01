package dev.tally.core.analytics;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.Currency;
import java.util.Objects;
import java.util.Optional;

/**
 * Revenue of one group in one month and currency. {@code invoiced} is the sum of the lines of the invoices finalized
 * in the month (before tax); {@code usage} the part of it from usage charges. The invoice-level figures (tax, total,
 * credits applied, amount due, collected, outstanding) are present when the grouping keeps invoices whole (none,
 * customer, currency) and empty when it splits them into lines (plan, charge, meter).
 */
public record RevenueRow(String group, Currency currency, YearMonth month, BigDecimal invoiced, BigDecimal usage,
        Optional<Settlement> settlement, int invoices) {
    public RevenueRow {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(month, "month");
        Objects.requireNonNull(invoiced, "invoiced");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(settlement, "settlement");
    }

    /** The invoice-level figures of a group of whole invoices, summed. */
    public record Settlement(BigDecimal tax, BigDecimal total, BigDecimal creditsApplied, BigDecimal amountDue,
            BigDecimal collected, BigDecimal outstanding) {
        static final Settlement ZERO = new Settlement(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
                BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO);

        Settlement plus(InvoiceFact i) {
            return new Settlement(tax.add(i.tax()), total.add(i.total()), creditsApplied.add(i.creditsApplied()),
                    amountDue.add(i.amountDue()), collected.add(i.collected()), outstanding.add(i.outstanding()));
        }
    }
}

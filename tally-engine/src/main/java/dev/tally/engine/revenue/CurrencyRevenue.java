package dev.tally.engine.revenue;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A tenant's revenue in one currency: invoiced (finalized or paid, by finalization time, in the window asked),
 * still in draft, and the estimate of every open period (each live subscription's current period priced as
 * {@code GET /v1/customers/{id}/usage} prices it). Amounts are exact sums; counts are invoices and periods.
 */
public record CurrencyRevenue(String currency, BigDecimal invoiced, long invoices, BigDecimal draft, long draftInvoices,
        BigDecimal estimatedOpen, long openPeriods) {
    public CurrencyRevenue {
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(invoiced, "invoiced");
        Objects.requireNonNull(draft, "draft");
        Objects.requireNonNull(estimatedOpen, "estimatedOpen");
        if (invoices < 0 || draftInvoices < 0 || openPeriods < 0) {
            throw new IllegalArgumentException("a negative count");
        }
    }
}

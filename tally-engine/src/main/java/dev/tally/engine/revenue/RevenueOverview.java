package dev.tally.engine.revenue;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A tenant's revenue per currency (by currency code), with how fresh the open-period estimates are: every customer
 * not counted in {@code pendingCustomers} reflects every change marked before {@code asOf} (the start of the last
 * refresh run; empty before the first one); the pending ones still count with their previous estimate (or not at
 * all before their first). The invoice sums are as of the last sweep of changed invoices ({@code invoicesAsOf}).
 */
public record RevenueOverview(List<CurrencyRevenue> currencies, Optional<Instant> asOf, int pendingCustomers,
        Optional<Instant> invoicesAsOf) {
    public RevenueOverview {
        currencies = List.copyOf(currencies);
        Objects.requireNonNull(asOf, "asOf");
        Objects.requireNonNull(invoicesAsOf, "invoicesAsOf");
        if (pendingCustomers < 0) {
            throw new IllegalArgumentException("a negative pending count");
        }
    }
}

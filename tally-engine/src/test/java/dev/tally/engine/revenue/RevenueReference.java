package dev.tally.engine.revenue;

import dev.tally.core.billing.Customer;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.billing.InvoiceStatus;
import dev.tally.engine.billing.UsageEstimate;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The revenue overview computed the way {@code GET /v1/stats} computed it before the rollup: every invoice of the
 * three statuses listed, and {@link Billing#currentUsage} for every customer. The reference the rollup must equal
 * after a full refresh (tests), and the old path the benchmark compares with.
 */
public final class RevenueReference {
    private static final int MAX_INVOICES = 100_000;

    private RevenueReference() {
    }

    /** The tenant's revenue per currency, invoiced counted when finalized in [from, to). */
    public static List<CurrencyRevenue> of(Billing billing, String tenant, Instant from, Instant to) {
        Map<String, BigDecimal[]> sums = new TreeMap<>();
        Map<String, long[]> counts = new TreeMap<>();
        for (InvoiceStatus status : new InvoiceStatus[] {InvoiceStatus.FINALIZED, InvoiceStatus.PAID, InvoiceStatus.DRAFT}) {
            for (Invoice i : billing.invoices(tenant, Optional.empty(), Optional.of(status), MAX_INVOICES)) {
                String c = i.totals().currency().getCurrencyCode();
                BigDecimal total = i.totals().total().amount();
                if (status == InvoiceStatus.DRAFT) {
                    add(sums, counts, c, 1, total);
                } else {
                    add(sums, counts, c, -1, BigDecimal.ZERO);
                    Instant at = i.finalizedAt().orElse(i.boundary());
                    if (!at.isBefore(from) && at.isBefore(to)) {
                        add(sums, counts, c, 0, total);
                    }
                }
            }
        }
        for (Customer c : billing.customers(tenant)) {
            for (UsageEstimate e : billing.currentUsage(tenant, c.externalId())) {
                add(sums, counts, c.currency().getCurrencyCode(), 2, e.estimate().total().amount());
            }
        }
        List<CurrencyRevenue> out = new ArrayList<>();
        sums.forEach((c, s) -> {
            long[] n = counts.get(c);
            out.add(new CurrencyRevenue(c, s[0], n[0], s[1], n[1], s[2], n[2]));
        });
        return out;
    }

    /** Adds to figure {@code i} (0 invoiced, 1 draft, 2 open), or only lists the currency ({@code i} -1). */
    private static void add(Map<String, BigDecimal[]> sums, Map<String, long[]> counts, String c, int i, BigDecimal a) {
        BigDecimal[] s = sums.computeIfAbsent(c, k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO});
        long[] n = counts.computeIfAbsent(c, k -> new long[3]);
        if (i >= 0) {
            s[i] = s[i].add(a);
            n[i]++;
        }
    }
}

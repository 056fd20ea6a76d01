package dev.tally.core.analytics;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Invoiced revenue per month (the UTC month an invoice was finalized in), grouped by a {@link Dimension}, summed
 * from the invoices' own lines and totals, so every figure equals the sum of the invoices it covers. Months with no
 * invoice have no row.
 */
public final class RevenueReport {
    private RevenueReport() {
    }

    /** What revenue is grouped by. */
    public enum Dimension {
        NONE(false), CUSTOMER(false), CURRENCY(false), PLAN(true), CHARGE(true), METER(true);

        final boolean splitsInvoices;

        Dimension(boolean splitsInvoices) {
            this.splitsInvoices = splitsInvoices;
        }
    }

    /** Rows for the invoices finalized in {@code [from, to]}, sorted by month, currency and group. */
    public static List<RevenueRow> rows(List<InvoiceFact> invoices, Dimension by, YearMonth from, YearMonth to) {
        record Key(YearMonth month, String currency, String group) {
        }
        record Acc(BigDecimal invoiced, BigDecimal usage, RevenueRow.Settlement settlement, Set<String> invoices) {
        }
        Map<Key, Acc> acc = new TreeMap<>(Comparator.comparing(Key::month).thenComparing(Key::currency)
                .thenComparing(Key::group));
        for (InvoiceFact inv : invoices) {
            if (inv.month().isBefore(from) || inv.month().isAfter(to)) {
                continue;
            }
            String cur = inv.currency().getCurrencyCode();
            if (by.splitsInvoices) {
                for (LineFact l : inv.lines()) {
                    String group = switch (by) {
                        case PLAN -> l.plan();
                        case CHARGE -> l.chargeKey();
                        default -> l.meter().orElse("(none)");
                    };
                    Key k = new Key(inv.month(), cur, group);
                    Acc a = acc.getOrDefault(k, new Acc(BigDecimal.ZERO, BigDecimal.ZERO, RevenueRow.Settlement.ZERO,
                            new HashSet<>()));
                    a.invoices().add(inv.invoice());
                    acc.put(k, new Acc(a.invoiced().add(l.amount()), l.isUsage() ? a.usage().add(l.amount())
                            : a.usage(), a.settlement(), a.invoices()));
                }
            } else {
                String group = switch (by) {
                    case CUSTOMER -> inv.customer();
                    case CURRENCY -> cur;
                    default -> "all";
                };
                BigDecimal usage = inv.lines().stream().filter(LineFact::isUsage).map(LineFact::amount)
                        .reduce(BigDecimal.ZERO, BigDecimal::add);
                Key k = new Key(inv.month(), cur, group);
                Acc a = acc.getOrDefault(k, new Acc(BigDecimal.ZERO, BigDecimal.ZERO, RevenueRow.Settlement.ZERO,
                        new HashSet<>()));
                a.invoices().add(inv.invoice());
                acc.put(k, new Acc(a.invoiced().add(inv.subtotal()), a.usage().add(usage),
                        a.settlement().plus(inv), a.invoices()));
            }
        }
        List<RevenueRow> out = new ArrayList<>();
        for (var e : acc.entrySet()) {
            Acc a = e.getValue();
            out.add(new RevenueRow(e.getKey().group(), Currency.getInstance(e.getKey().currency()), e.getKey().month(),
                    a.invoiced(), a.usage(), by.splitsInvoices ? Optional.empty() : Optional.of(a.settlement()),
                    a.invoices().size()));
        }
        return out;
    }

    /** A customer's usage revenue (and all invoiced revenue) over a range, in one currency. */
    public record CustomerRevenue(String customer, Currency currency, BigDecimal usage, BigDecimal invoiced) {
    }

    /**
     * The {@code limit} customers with the most usage revenue on invoices finalized in {@code [from, to]}, per
     * currency, highest first (ties by customer id); customers with no usage revenue are left out.
     */
    public static List<CustomerRevenue> topByUsage(List<InvoiceFact> invoices, YearMonth from, YearMonth to,
            int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive");
        }
        Map<String, Map<String, BigDecimal[]>> byCurrency = new TreeMap<>();
        for (InvoiceFact inv : invoices) {
            if (inv.month().isBefore(from) || inv.month().isAfter(to)) {
                continue;
            }
            BigDecimal[] a = byCurrency.computeIfAbsent(inv.currency().getCurrencyCode(), c -> new TreeMap<>())
                    .computeIfAbsent(inv.customer(), c -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
            for (LineFact l : inv.lines()) {
                if (l.isUsage()) {
                    a[0] = a[0].add(l.amount());
                }
            }
            a[1] = a[1].add(inv.subtotal());
        }
        List<CustomerRevenue> out = new ArrayList<>();
        for (var cur : byCurrency.entrySet()) {
            cur.getValue().entrySet().stream().filter(e -> e.getValue()[0].signum() > 0)
                    .sorted(Comparator.<Map.Entry<String, BigDecimal[]>, BigDecimal>comparing(e -> e.getValue()[0])
                            .reversed().thenComparing(Map.Entry::getKey))
                    .limit(limit)
                    .forEach(e -> out.add(new CustomerRevenue(e.getKey(), Currency.getInstance(cur.getKey()),
                            e.getValue()[0], e.getValue()[1])));
        }
        return out;
    }

}

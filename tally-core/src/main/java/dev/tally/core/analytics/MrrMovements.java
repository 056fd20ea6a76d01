package dev.tally.core.analytics;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Classifies month-over-month MRR changes per customer, within each group and currency. For a customer whose MRR
 * goes from {@code p} (previous month) to {@code c}: {@code p = 0 < c} is new MRR the first time the customer has
 * MRR in the group, reactivated MRR after that; {@code p > 0 = c} is churned MRR ({@code p}); {@code 0 < p < c} is
 * expansion ({@code c - p}); {@code 0 < c < p} is contraction ({@code p - c}). So the identity of
 * {@link MrrMovement} holds exactly. History before {@code from} is used (to tell new from reactivated and to know
 * the month before {@code from}), but only months from {@code from} to {@code to} are returned.
 */
public final class MrrMovements {
    private MrrMovements() {
    }

    /** Movements for every month of {@code [from, to]}, per group and currency, sorted by group, currency, month. */
    public static List<MrrMovement> compute(List<MrrPoint> points, YearMonth from, YearMonth to) {
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("'to' is before 'from'");
        }
        record Key(String group, Currency currency) {
        }
        Map<Key, Map<String, TreeMap<YearMonth, BigDecimal>>> books = new TreeMap<>(
                Comparator.comparing(Key::group).thenComparing(k -> k.currency().getCurrencyCode()));
        for (MrrPoint p : points) {
            books.computeIfAbsent(new Key(p.group(), p.currency()), k -> new HashMap<>())
                    .computeIfAbsent(p.customer(), c -> new TreeMap<>()).merge(p.month(), p.amount(), BigDecimal::add);
        }
        List<MrrMovement> out = new ArrayList<>();
        for (var book : books.entrySet()) {
            Map<String, TreeMap<YearMonth, BigDecimal>> customers = book.getValue();
            YearMonth first = customers.values().stream().map(TreeMap::firstKey).min(Comparator.naturalOrder())
                    .orElse(from);
            YearMonth start = first.isBefore(from) ? first : from;
            Set<String> seen = new HashSet<>();
            for (YearMonth m = start; !m.isAfter(to); m = m.plusMonths(1)) {
                BigDecimal prevTotal = BigDecimal.ZERO;
                BigDecimal total = BigDecimal.ZERO;
                BigDecimal newMrr = BigDecimal.ZERO;
                BigDecimal expansion = BigDecimal.ZERO;
                BigDecimal contraction = BigDecimal.ZERO;
                BigDecimal churned = BigDecimal.ZERO;
                BigDecimal reactivated = BigDecimal.ZERO;
                int count = 0;
                for (var c : customers.entrySet()) {
                    BigDecimal p = c.getValue().getOrDefault(m.minusMonths(1), BigDecimal.ZERO);
                    BigDecimal now = c.getValue().getOrDefault(m, BigDecimal.ZERO);
                    prevTotal = prevTotal.add(p);
                    total = total.add(now);
                    if (now.signum() > 0) {
                        count++;
                    }
                    if (p.signum() == 0 && now.signum() > 0) {
                        if (seen.contains(c.getKey())) {
                            reactivated = reactivated.add(now);
                        } else {
                            newMrr = newMrr.add(now);
                        }
                    } else if (p.signum() > 0 && now.signum() == 0) {
                        churned = churned.add(p);
                    } else if (now.compareTo(p) > 0) {
                        expansion = expansion.add(now.subtract(p));
                    } else if (now.compareTo(p) < 0) {
                        contraction = contraction.add(p.subtract(now));
                    }
                    if (now.signum() > 0) {
                        seen.add(c.getKey());
                    }
                }
                if (m.isBefore(from)) {
                    continue;
                }
                BigDecimal retained = prevTotal.add(expansion).subtract(contraction).subtract(churned);
                var nrr = prevTotal.signum() == 0 ? java.util.Optional.<BigDecimal>empty()
                        : java.util.Optional.of(retained.divide(prevTotal, 4, RoundingMode.HALF_EVEN));
                out.add(new MrrMovement(book.getKey().group(), book.getKey().currency(), m, prevTotal, total,
                        total.multiply(BigDecimal.valueOf(12)), newMrr, expansion, contraction, churned, reactivated,
                        count, nrr));
            }
        }
        return out;
    }
}

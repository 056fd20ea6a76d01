package dev.tally.kafka.owned;

import dev.tally.core.aggregate.Aggregation;
import dev.tally.engine.usage.UsageRow;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Combines the rows the owners of different partitions answered for one whole-tenant usage question. Partitions
 * hold disjoint customers, so per (window, group) a total over all of them is: the sum for additive aggregations
 * (sum, count, time-weighted sum, persistent count, duration), the largest or smallest for max and min, and for
 * avg the mean of the partitions' means weighted by their event counts. {@code unique_count} (one value may occur
 * under several customers) and {@code latest} (the rows carry no event time) cannot be combined exactly and are
 * refused.
 */
final class MergedRows {
    private MergedRows() {
    }

    static void check(Aggregation a) {
        if (a == Aggregation.UNIQUE_COUNT || a == Aggregation.LATEST) {
            throw new UnsupportedOperationException("a whole-tenant " + a.name().toLowerCase(java.util.Locale.ROOT)
                    + " cannot be combined from partitions in the partition-owned mode; ask per customer");
        }
    }

    private record Key(java.time.Instant start, java.time.Instant end, List<Optional<String>> group) {
    }

    static List<UsageRow> merge(List<List<UsageRow>> answers, Aggregation a) {
        check(a);
        Map<Key, UsageRow> out = new LinkedHashMap<>();
        for (List<UsageRow> rows : answers) {
            for (UsageRow r : rows) {
                out.merge(new Key(r.windowStart(), r.windowEnd(), r.group()), r, (x, y) -> combine(x, y, a));
            }
        }
        List<UsageRow> sorted = new ArrayList<>(out.values());
        sorted.sort(Comparator.comparing(UsageRow::windowStart).thenComparing(r -> r.group().toString()));
        return sorted;
    }

    private static UsageRow combine(UsageRow x, UsageRow y, Aggregation a) {
        long events = x.events() + y.events();
        BigDecimal v = switch (a) {
            case MAX -> x.events() == 0 ? y.value() : y.events() == 0 ? x.value() : x.value().max(y.value());
            case MIN -> x.events() == 0 ? y.value() : y.events() == 0 ? x.value() : x.value().min(y.value());
            case AVG -> events == 0 ? x.value() : x.value().multiply(BigDecimal.valueOf(x.events()))
                    .add(y.value().multiply(BigDecimal.valueOf(y.events())))
                    .divide(BigDecimal.valueOf(events), MathContext.DECIMAL128).stripTrailingZeros();
            default -> x.value().add(y.value());
        };
        return new UsageRow(x.windowStart(), x.windowEnd(), x.group(), v, events);
    }
}

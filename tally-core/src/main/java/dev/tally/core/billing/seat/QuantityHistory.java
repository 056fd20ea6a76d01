package dev.tally.core.billing.seat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The quantity history of one subscription: every {@link QuantityChange} of every licensed charge, ordered by
 * effective time, then by the order they were recorded. The quantity of a charge at an instant is that of the last
 * change effective at or before it, and 0 before the first. Guarantees: the order is total and stable, so the same
 * facts always give the same quantities and steps.
 */
public record QuantityHistory(List<QuantityChange> changes) {
    private static final Comparator<QuantityChange> ORDER = Comparator.comparing(QuantityChange::effectiveAt)
            .thenComparingLong(QuantityChange::sequence);

    /** A history with no change: every quantity is 0. */
    public static final QuantityHistory EMPTY = new QuantityHistory(List.of());

    /** Sorts (see the type's guarantees); the list is copied and unmodifiable. */
    public QuantityHistory {
        Objects.requireNonNull(changes, "changes");
        changes = changes.stream().sorted(ORDER).toList();
    }

    /** The quantity of {@code charge} in force at {@code t} (changes effective exactly at {@code t} included). */
    public BigDecimal quantityAt(String charge, Instant t) {
        BigDecimal q = BigDecimal.ZERO;
        for (QuantityChange c : changes) {
            if (c.effectiveAt().isAfter(t)) {
                break;
            }
            if (c.charge().equals(charge)) {
                q = c.quantity();
            }
        }
        return q;
    }

    /** The changes of {@code charge} effective strictly after {@code after} and strictly before {@code before}. */
    public List<QuantityChange> between(String charge, Instant after, Instant before) {
        return changes.stream().filter(c -> c.charge().equals(charge) && c.effectiveAt().isAfter(after)
                && c.effectiveAt().isBefore(before)).toList();
    }

    /** The changes of one charge, in order. */
    public List<QuantityChange> of(String charge) {
        return changes.stream().filter(c -> c.charge().equals(charge)).toList();
    }
}

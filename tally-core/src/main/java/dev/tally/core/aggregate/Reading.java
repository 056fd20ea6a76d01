package dev.tally.core.aggregate;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * One gauge reading (or one latest-value candidate): a value at an instant,
 * ordered by time and then by the event's tie-break key so the order never
 * depends on arrival.
 */
public record Reading(Instant time, String tieBreak, BigDecimal value) implements Comparable<Reading> {
    static final Comparator<Reading> ORDER = Comparator.comparing(Reading::time).thenComparing(Reading::tieBreak);

    public Reading {
        Objects.requireNonNull(time);
        Objects.requireNonNull(tieBreak);
        Objects.requireNonNull(value);
    }

    @Override
    public int compareTo(Reading o) {
        return ORDER.compare(this, o);
    }
}

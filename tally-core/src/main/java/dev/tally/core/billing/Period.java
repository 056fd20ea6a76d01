package dev.tally.core.billing;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A half-open stretch of time {@code [start, end)} in UTC instants. Guarantees {@code start < end}, so a period is
 * never empty; consecutive billing periods share a boundary ({@code p.end() == next.start()}) with no gap and no
 * overlap.
 */
public record Period(Instant start, Instant end) {

    /** Validates: both present and {@code start < end}. */
    public Period {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!start.isBefore(end)) {
            throw new InvalidBillingException("period", "must end after it starts: [" + start + ", " + end + ")");
        }
    }

    /** Whether {@code t} lies in {@code [start, end)}. */
    public boolean contains(Instant t) {
        Objects.requireNonNull(t, "t");
        return !t.isBefore(start) && t.isBefore(end);
    }

    /** Whether {@code other} lies entirely within this period. */
    public boolean encloses(Period other) {
        Objects.requireNonNull(other, "other");
        return !other.start.isBefore(start) && !other.end.isAfter(end);
    }

    /** The overlap of two periods, or empty when they do not overlap (touching at a boundary is no overlap). */
    public Optional<Period> intersect(Period o) {
        Objects.requireNonNull(o, "o");
        Instant s = start.isAfter(o.start) ? start : o.start;
        Instant e = end.isBefore(o.end) ? end : o.end;
        return s.isBefore(e) ? Optional.of(new Period(s, e)) : Optional.empty();
    }

    /** {@code [start, end)} in RFC 3339 UTC. */
    @Override
    public String toString() {
        return "[" + start + ", " + end + ")";
    }
}

package dev.tally.core.duration;

import java.time.Instant;
import java.util.Objects;

/**
 * One event of a duration meter: its event time, its kind, its tie-break (source and id, unique per event) and its
 * session key. Marks are ordered by time, then kind (a stop last), then tie-break, then key: a total order that never
 * depends on arrival, so the same events give the same intervals whatever order they came in.
 */
public record Mark(Instant time, MarkKind kind, String tieBreak, String key) implements Comparable<Mark> {
    public Mark {
        Objects.requireNonNull(time);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(tieBreak);
        Objects.requireNonNull(key);
    }

    @Override
    public int compareTo(Mark o) {
        int c = time.compareTo(o.time);
        if (c != 0) {
            return c;
        }
        c = kind.compareTo(o.kind);
        if (c != 0) {
            return c;
        }
        c = tieBreak.compareTo(o.tieBreak);
        return c != 0 ? c : key.compareTo(o.key);
    }
}

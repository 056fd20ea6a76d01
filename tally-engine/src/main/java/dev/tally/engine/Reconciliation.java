package dev.tally.engine;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * The result of recomputing every meter from the raw events of a range and
 * comparing with the live aggregates, state by state (customer, meter
 * version, group, hour). No differences means the live figures are exactly
 * what the raw events say.
 */
public record Reconciliation(Instant from, Instant to, long eventsScanned, long statesCompared,
        List<Difference> differences) {
    public Reconciliation {
        differences = List.copyOf(differences);
    }

    /** One state whose live value or event count differs from the recomputed one. */
    public record Difference(String state, BigDecimal expected, BigDecimal live, long expectedEvents,
            long liveEvents) {
    }
}

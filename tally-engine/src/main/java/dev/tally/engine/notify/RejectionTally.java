package dev.tally.engine.notify;

import dev.tally.core.event.RejectionReason;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * Rejected events counted per tenant and reason since the last summary, in this process's memory (the
 * engine's {@code IngestStats} counts them globally, for metrics). Counting happens only for requests that had
 * rejections, so the lock is off the hot path.
 */
final class RejectionTally {
    private Map<String, EnumMap<RejectionReason, Long>> counts = new HashMap<>();

    synchronized void add(String tenant, RejectionReason reason, long n) {
        counts.computeIfAbsent(tenant, t -> new EnumMap<>(RejectionReason.class)).merge(reason, n, Long::sum);
    }

    /** Everything counted so far, leaving the tally empty. */
    synchronized Map<String, EnumMap<RejectionReason, Long>> drain() {
        Map<String, EnumMap<RejectionReason, Long>> out = counts;
        counts = new HashMap<>();
        return out;
    }

    /** Puts drained counts back (their summary could not be recorded). */
    synchronized void restore(Map<String, EnumMap<RejectionReason, Long>> drained) {
        drained.forEach((tenant, byReason) -> byReason.forEach((reason, n) -> add(tenant, reason, n)));
    }
}

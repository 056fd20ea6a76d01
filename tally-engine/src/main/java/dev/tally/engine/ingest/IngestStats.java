package dev.tally.engine.ingest;

import dev.tally.core.event.RejectionReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Running counts of ingest outcomes since start, for metrics. Thread-safe. */
public final class IngestStats {
    final LongAdder accepted = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder unmatched = new LongAdder();
    final LongAdder commits = new LongAdder();
    final Map<RejectionReason, LongAdder> rejected = new EnumMap<>(RejectionReason.class);

    IngestStats() {
        for (RejectionReason r : RejectionReason.values()) {
            rejected.put(r, new LongAdder());
        }
    }

    public long accepted() {
        return accepted.sum();
    }

    public long duplicates() {
        return duplicates.sum();
    }

    /** Accepted events that no meter matched (stored, billable if a meter is added later). */
    public long unmatched() {
        return unmatched.sum();
    }

    /** Group commits (log appends with one fsync each). */
    public long commits() {
        return commits.sum();
    }

    public long rejected(RejectionReason reason) {
        return rejected.get(reason).sum();
    }
}

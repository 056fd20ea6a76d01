package dev.tally.engine.usage;

import dev.tally.core.aggregate.AggregateState;
import dev.tally.core.meter.Contribution;
import dev.tally.core.meter.Meter;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One customer's live usage: per series an hourly map of states, and the log
 * positions of all the customer's events per hour. Every access synchronizes
 * on the instance (one writer, many readers; uncontended in practice).
 */
final class CustomerUsage {
    final String customer;
    final TreeMap<Long, LongList> positionsByHour = new TreeMap<>();
    final Map<String, Map<SeriesKey, TreeMap<Long, AggregateState>>> seriesByMeter = new HashMap<>();
    /** The earliest and latest event time seen by this process (epoch seconds); not checkpointed. */
    long firstSeen = Long.MAX_VALUE;
    long lastSeen = Long.MIN_VALUE;
    /** This customer's index in its tenant's {@link TenantRollup}; -1 until it has one (guarded by the rollup). */
    int rollupOrdinal = -1;
    /** Queued in {@link UsageStore}'s changed customers and not drained yet. */
    volatile boolean changed;
    /** How many times this customer's usage changed in this process (written under the instance's monitor). */
    volatile long changes;

    CustomerUsage(String customer) {
        this.customer = customer;
    }

    synchronized void seen(Instant time) {
        firstSeen = Math.min(firstSeen, time.getEpochSecond());
        lastSeen = Math.max(lastSeen, time.getEpochSecond());
    }

    synchronized void record(long hour, long position) {
        positionsByHour.computeIfAbsent(hour, h -> new LongList()).add(position);
    }

    synchronized void apply(long hour, Instant time, String tieBreak, Contribution c) {
        Meter m = c.meter();
        TreeMap<Long, AggregateState> hours = seriesByMeter.computeIfAbsent(m.key(), k -> new HashMap<>())
                .computeIfAbsent(new SeriesKey(m.key(), m.version(), c.group()), k -> new TreeMap<>());
        hours.computeIfAbsent(hour, h -> AggregateState.empty(m.aggregation()))
                .add(time, tieBreak, c.value(), c.distinct());
    }

    synchronized void clearMeter(String key) {
        seriesByMeter.remove(key);
    }

    /** Drops one meter's states for one hour (before they are recomputed). */
    synchronized void clearHour(String key, long hour) {
        Map<SeriesKey, TreeMap<Long, AggregateState>> series = seriesByMeter.get(key);
        if (series != null) {
            series.values().forEach(h -> h.remove(hour));
        }
    }
}

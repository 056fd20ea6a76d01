package dev.tally.engine.usage;

import dev.tally.core.aggregate.AggregateState;
import dev.tally.core.meter.Contribution;
import dev.tally.core.meter.Meter;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One customer's live usage: per series an hourly map of states, and per hour the number of its events that
 * count with the log positions of those not yet in a sealed segment's position index ({@link SealedPositions}).
 * Every access synchronizes on the instance (one writer, many readers; uncontended in practice).
 */
final class CustomerUsage {
    final String tenant;
    final String customer;
    final TreeMap<Long, HourEvents> positionsByHour = new TreeMap<>();
    /** Hours whose {@link HourEvents} hold positions in heap (what {@link #dropPositionsBelow} visits). */
    private final java.util.Set<Long> heapHours = new java.util.HashSet<>(4);
    final Map<String, Map<SeriesKey, TreeMap<Long, AggregateState>>> seriesByMeter = new HashMap<>();
    /** The earliest and latest event time seen by this process (epoch seconds); not checkpointed. */
    long firstSeen = Long.MAX_VALUE;
    long lastSeen = Long.MIN_VALUE;
    /** This customer's index in its tenant's {@link TenantRollup}; -1 until it has one (guarded by the rollup). */
    int rollupOrdinal = -1;
    /** Persistent counts' operations per meter and group, across hours and versions ({@link PersistentUsage}). */
    final Map<String, Map<dev.tally.core.meter.GroupKey, dev.tally.core.aggregate.UnitTimeline>> timelines =
            new HashMap<>();
    /**
     * The state {@link #apply} added to last, for its meter (by identity), group and hour: a customer's events mostly
     * hit the same state, and finding it through the maps showed in the writer's profile. Cleared whenever a state
     * may be removed ({@link #clearMeter}, {@link #clearHour}).
     */
    private Meter lastMeter;
    private dev.tally.core.meter.GroupKey lastGroup;
    private long lastHour;
    private AggregateState lastState;
    /** Hours whose positions or states changed since the last durable checkpoint (writer thread only). */
    final java.util.Set<Long> checkpointHours = new java.util.HashSet<>();
    private long lastCheckpointHour = Long.MIN_VALUE;
    /** Listed in {@link UsageStore}'s customers changed since the last durable checkpoint (writer thread only). */
    boolean checkpointDirty;
    /** Queued in {@link UsageStore}'s changed customers and not drained yet. */
    volatile boolean changed;
    /** How many times this customer's usage changed in this process (written under the instance's monitor). */
    volatile long changes;

    /** The tenant's compaction limits (shared by its customers). */
    final Grains grains;

    CustomerUsage(String tenant, String customer, Grains grains) {
        this.tenant = tenant;
        this.customer = customer;
        this.grains = grains;
    }

    /** Notes that an hour changed since the last durable checkpoint (writer thread). */
    void touched(long hour) {
        if (hour != lastCheckpointHour) {
            checkpointHours.add(hour);
            lastCheckpointHour = hour;
        }
    }

    /** Forgets the hours changed (they are in a durable checkpoint now). */
    void checkpointed() {
        checkpointHours.clear();
        lastCheckpointHour = Long.MIN_VALUE;
        checkpointDirty = false;
    }

    synchronized void seen(Instant time) {
        firstSeen = Math.min(firstSeen, time.getEpochSecond());
        lastSeen = Math.max(lastSeen, time.getEpochSecond());
    }

    /** The event count entry holding {@code hour}: its own, or its compacted bucket's; null if none. */
    synchronized HourEvents eventsOf(long hour) {
        HourEvents events = positionsByHour.get(hour);
        return events != null || hour >= grains.daysBelow ? events : positionsByHour.get(grains.start(hour));
    }

    /** Counts a stored event; keeps its position in heap unless it is below {@code indexedBelow} (on disk). */
    synchronized void record(long hour, long position, long indexedBelow) {
        HourEvents events = positionsByHour.get(hour);
        if (events == null) {
            events = new HourEvents();
            positionsByHour.put(hour, events);
        }
        events.live++;
        if (position >= indexedBelow) {
            if (events.size() == 0) {
                heapHours.add(hour);
            }
            events.add(position);
        }
    }

    /** Marks a position of this hour as held in heap (a checkpoint being read). */
    synchronized void heldInHeap(long hour) {
        heapHours.add(hour);
    }

    /** Drops the heap positions below {@code boundary} (indexed on disk now); returns how many. */
    synchronized long dropPositionsBelow(long boundary) {
        long n = 0;
        for (java.util.Iterator<Long> it = heapHours.iterator(); it.hasNext(); ) {
            HourEvents events = positionsByHour.get(it.next());
            if (events == null) {
                it.remove();
                continue;
            }
            n += events.dropBelow(boundary);
            if (events.size() == 0) {
                it.remove();
            }
        }
        return n;
    }

    /** Positions held in heap, and roughly their bytes: {count, bytes}. */
    synchronized long[] heapPositions() {
        long count = 0;
        long bytes = 0;
        for (Long hour : heapHours) {
            HourEvents events = positionsByHour.get(hour);
            if (events != null) {
                count += events.size();
                bytes += events.memoryBytes();
            }
        }
        return new long[] {count, bytes + 48L * positionsByHour.size()};
    }

    synchronized void apply(long eventHour, Instant time, String tieBreak, Contribution c) {
        Meter m = c.meter();
        long hour = eventHour < grains.daysBelow ? grains.stateHour(m.aggregation(), eventHour) : eventHour;
        AggregateState state = lastState;
        if (state == null || m != lastMeter || hour != lastHour || !c.group().equals(lastGroup)) {
            TreeMap<Long, AggregateState> hours = seriesByMeter.computeIfAbsent(m.key(), k -> new HashMap<>())
                    .computeIfAbsent(new SeriesKey(m.key(), m.version(), c.group()), k -> new TreeMap<>());
            state = hours.computeIfAbsent(hour, h -> AggregateState.empty(m.aggregation()));
            lastMeter = m;
            lastGroup = c.group();
            lastHour = hour;
            lastState = state;
        }
        state.add(time, tieBreak, c.value(), c.distinct());
        PersistentUsage.applied(this, time, tieBreak, c);
    }

    synchronized void clearMeter(String key) {
        lastState = null;
        seriesByMeter.remove(key);
        timelines.remove(key);
    }

    /**
     * Drops every state holding events of {@code hour} (before its events are applied again, a cancel): the hour's
     * own states, and the compacted bucket's for mergeable aggregations. Returns the hours [from, to) of the
     * events to apply again: the bucket's.
     */
    synchronized long[] clearForRecompute(long hour) {
        lastState = null;
        long from = hour;
        long to = hour + 1;
        for (Map<SeriesKey, TreeMap<Long, AggregateState>> series : seriesByMeter.values()) {
            for (TreeMap<Long, AggregateState> hours : series.values()) {
                AggregateState any = hours.isEmpty() ? null : hours.firstEntry().getValue();
                if (any != null && hour < grains.daysBelow && Grains.mergeable(any.aggregation())) {
                    hours.remove(grains.start(hour));
                    from = Math.min(from, grains.start(hour));
                    to = Math.max(to, grains.end(hour));
                } else {
                    hours.remove(hour);
                }
            }
        }
        timelines.clear();
        return new long[] {from, to};
    }

    /**
     * Merges the states of mergeable aggregations into the buckets of {@link #grains} (called after the limits
     * moved); returns how many states were merged away.
     */
    synchronized long compact() {
        lastState = null;
        long merged = 0;
        long below = grains.daysBelow;
        // the hourly event counts too, for hours with no position left in heap (all indexed)
        java.util.List<Long> hoursBelow = new java.util.ArrayList<>(positionsByHour.headMap(below, false).keySet());
        for (long hour : hoursBelow) {
            long bucket = grains.start(hour);
            HourEvents events = positionsByHour.get(hour);
            if (bucket == hour || events.size() > 0) {
                continue;
            }
            HourEvents into = positionsByHour.get(bucket);
            if (into == null) {
                into = new HourEvents();
                positionsByHour.put(bucket, into);
            }
            into.live += events.live;
            positionsByHour.remove(hour);
        }
        for (Map<SeriesKey, TreeMap<Long, AggregateState>> series : seriesByMeter.values()) {
            for (TreeMap<Long, AggregateState> hours : series.values()) {
                if (hours.isEmpty() || hours.firstKey() >= below
                        || !Grains.mergeable(hours.firstEntry().getValue().aggregation())) {
                    continue;
                }
                java.util.List<Map.Entry<Long, AggregateState>> old = new java.util.ArrayList<>();
                for (Map.Entry<Long, AggregateState> e : hours.headMap(below, false).entrySet()) {
                    old.add(Map.entry(e.getKey(), e.getValue())); // a TreeMap's own entries change as it removes
                }
                for (Map.Entry<Long, AggregateState> e : old) {
                    long bucket = grains.start(e.getKey());
                    if (bucket != e.getKey()) {
                        hours.remove(e.getKey());
                        AggregateState into = hours.get(bucket);
                        if (into == null) {
                            hours.put(bucket, e.getValue());
                        } else {
                            into.merge(e.getValue());
                            merged++;
                        }
                    }
                }
            }
        }
        return merged;
    }

    /** Drops one meter's states for one hour (before they are recomputed). */
    synchronized void clearHour(String key, long hour) {
        lastState = null;
        Map<SeriesKey, TreeMap<Long, AggregateState>> series = seriesByMeter.get(key);
        if (series != null) {
            series.values().forEach(h -> h.remove(hour));
        }
        timelines.remove(key);
    }
}

package dev.tally.engine.usage;

import dev.tally.core.aggregate.AggregateState;
import dev.tally.core.meter.Contribution;
import dev.tally.core.meter.Meter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One tenant's usage summed over its customers: per (meter version, group, hour) the merge of every
 * customer's state, so a whole-tenant question reads one series per group instead of one per customer.
 * Exact for every aggregation whose states merge (sum, count, avg, max, min, latest and unique count, whose
 * state is the union of the values): the merge of merges is the merge of all, in any order.
 *
 * <p>Per (meter, hour) it also keeps which customers have a state (a bit per customer ordinal), so the
 * partial hours at a window's edges are read from the log for those customers only, and a cancelled event's
 * hour, which cannot be un-merged for max, min, latest or unique count, is marked dirty and re-merged from
 * those customers' states when it is next read.
 *
 * <p>Derived state: never checkpointed, rebuilt from the customers' states after a checkpoint is read.
 * Locking: the instance's monitor is taken before any customer's (writer: rollup then customer; a
 * whole-tenant query: rollup, then customers for dirty or edge hours), so a query sees whole events.
 */
final class TenantRollup {
    /** Ordinals of customers (index = ordinal). */
    private final List<CustomerUsage> byOrdinal = new ArrayList<>();
    private final Map<String, MeterRollup> meters = new HashMap<>();

    /** One meter's rollup. */
    static final class MeterRollup {
        final Map<SeriesKey, TreeMap<Long, AggregateState>> series = new HashMap<>();
        /** Customers (ordinals) with a state of this meter in the hour: a superset after cancels. */
        final Map<Long, BitSet> customersByHour = new HashMap<>();
        /** Hours whose merged states are stale (an event in them was cancelled). */
        final Set<Long> dirtyHours = new HashSet<>();
        /** The customers of the hour last added to (events arrive mostly in the current hour). */
        private long lastHour = Long.MIN_VALUE;
        private BitSet lastCustomers;
        /** The state {@link #add} merged into last (by meter identity, group and hour); null after a re-merge. */
        private Meter stateMeter;
        private dev.tally.core.meter.GroupKey stateGroup;
        private long stateHour;
        private AggregateState state;

        AggregateState state(Meter m, dev.tally.core.meter.GroupKey group, long hour) {
            AggregateState st = state;
            if (st == null || m != stateMeter || hour != stateHour || !group.equals(stateGroup)) {
                st = series.computeIfAbsent(new SeriesKey(m.key(), m.version(), group), k -> new TreeMap<>())
                        .computeIfAbsent(hour, h -> AggregateState.empty(m.aggregation()));
                stateMeter = m;
                stateGroup = group;
                stateHour = hour;
                state = st;
            }
            return st;
        }

        BitSet customers(long hour) {
            if (hour != lastHour || lastCustomers == null) {
                lastCustomers = customersByHour.computeIfAbsent(hour, h -> new BitSet());
                lastHour = hour;
            }
            return lastCustomers;
        }

        void forgetHour(long hour) {
            customersByHour.remove(hour);
            if (hour == lastHour) {
                lastCustomers = null;
            }
        }
    }

    private int ordinal(CustomerUsage cu) {
        if (cu.rollupOrdinal < 0) {
            cu.rollupOrdinal = byOrdinal.size();
            byOrdinal.add(cu);
        }
        return cu.rollupOrdinal;
    }

    /**
     * Whether the rollup keeps merged states of an aggregation. Not for duration meters: their sessions are matched
     * per customer and never answered from the rollup, so a merged copy of every mark would only cost memory.
     */
    static boolean rolledUp(dev.tally.core.aggregate.Aggregation a) {
        return a != dev.tally.core.aggregate.Aggregation.DURATION;
    }

    /** Adds one event's contributions of a customer (call holding this monitor). */
    void add(CustomerUsage cu, long hour, Instant time, String tieBreak, List<Contribution> contributions) {
        if (contributions.isEmpty()) {
            return;
        }
        int ord = ordinal(cu);
        for (Contribution c : contributions) {
            Meter m = c.meter();
            if (m.aggregation() == dev.tally.core.aggregate.Aggregation.PERSISTENT_COUNT) {
                continue; // measured per customer from its history, never from merged states
            }
            MeterRollup mr = meters.computeIfAbsent(m.key(), k -> new MeterRollup());
            mr.customers(hour).set(ord);
            if (!mr.dirtyHours.isEmpty() && mr.dirtyHours.contains(hour) || !rolledUp(m.aggregation())) {
                continue; // re-merged from the customers when read, or never answered from the rollup
            }
            mr.state(m, c.group(), hour).add(time, tieBreak, c.value(), c.distinct());
        }
    }

    /** Merges every state a customer holds (rebuilding after a checkpoint was read; call holding this monitor). */
    void addCustomer(CustomerUsage cu) {
        int ord = ordinal(cu);
        synchronized (cu) {
            cu.seriesByMeter.forEach((key, series) -> {
                MeterRollup mr = meters.computeIfAbsent(key, k -> new MeterRollup());
                series.forEach((sk, hours) -> {
                    if (!hours.isEmpty() && hours.firstEntry().getValue() instanceof AggregateState.Persistent) {
                        return;
                    }
                    TreeMap<Long, AggregateState> merged = mr.series.computeIfAbsent(sk, k -> new TreeMap<>());
                    hours.forEach((h, st) -> {
                        mr.customers(h).set(ord);
                        if (rolledUp(st.aggregation())) {
                            merged.computeIfAbsent(h, x -> AggregateState.empty(st.aggregation())).merge(st);
                        }
                    });
                });
            });
        }
    }

    /** Forgets a meter (before it is rebuilt from the log). */
    void clearMeter(String key) {
        meters.remove(key);
    }

    /** Marks the hour of a cancelled event stale for every meter the customer has. */
    void cancelled(CustomerUsage cu, long hour) {
        int ord = ordinal(cu);
        synchronized (cu) {
            for (String key : cu.seriesByMeter.keySet()) {
                MeterRollup mr = meters.computeIfAbsent(key, k -> new MeterRollup());
                mr.customers(hour).set(ord);
                mr.dirtyHours.add(hour);
            }
        }
    }

    /** A meter's rollup with no stale hour left, or null when no customer has it (call holding this monitor). */
    MeterRollup meter(String key) {
        MeterRollup mr = meters.get(key);
        if (mr != null && !mr.dirtyHours.isEmpty()) {
            for (long hour : mr.dirtyHours) {
                remerge(key, mr, hour);
            }
            mr.dirtyHours.clear();
        }
        return mr;
    }

    private void remerge(String key, MeterRollup mr, long hour) {
        mr.state = null; // the hour's states are replaced
        mr.series.values().removeIf(hours -> {
            hours.remove(hour);
            return hours.isEmpty();
        });
        BitSet customers = mr.customersByHour.get(hour);
        if (customers == null) {
            return;
        }
        for (int ord = customers.nextSetBit(0); ord >= 0; ord = customers.nextSetBit(ord + 1)) {
            CustomerUsage cu = byOrdinal.get(ord);
            boolean has = false;
            synchronized (cu) {
                Map<SeriesKey, TreeMap<Long, AggregateState>> series = cu.seriesByMeter.get(key);
                if (series != null) {
                    for (Map.Entry<SeriesKey, TreeMap<Long, AggregateState>> s : series.entrySet()) {
                        AggregateState st = s.getValue().get(hour);
                        if (st != null && !(st instanceof AggregateState.Persistent)) {
                            has = true;
                            if (rolledUp(st.aggregation())) {
                                mr.series.computeIfAbsent(s.getKey(), k -> new TreeMap<>())
                                        .computeIfAbsent(hour, h -> AggregateState.empty(st.aggregation())).merge(st);
                            }
                        }
                    }
                }
            }
            if (!has) {
                customers.clear(ord);
            }
        }
        if (customers.isEmpty()) {
            mr.forgetHour(hour);
        }
    }

    /** The customers with a state of the meter in any hour of [fromHour, toHour] (call holding this monitor). */
    List<CustomerUsage> customersIn(MeterRollup mr, long fromHour, long toHour) {
        BitSet all = new BitSet();
        for (long h = fromHour; h <= toHour; h++) {
            BitSet b = mr.customersByHour.get(h);
            if (b != null) {
                all.or(b);
            }
        }
        List<CustomerUsage> out = new ArrayList<>(all.cardinality());
        for (int ord = all.nextSetBit(0); ord >= 0; ord = all.nextSetBit(ord + 1)) {
            out.add(byOrdinal.get(ord));
        }
        return out;
    }
}

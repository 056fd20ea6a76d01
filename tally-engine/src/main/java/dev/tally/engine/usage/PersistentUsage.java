package dev.tally.engine.usage;

import dev.tally.core.aggregate.AggregateState;
import dev.tally.core.aggregate.Aggregation;
import dev.tally.core.aggregate.PersistentMeasure;
import dev.tally.core.aggregate.UnitTimeline;
import dev.tally.core.meter.Contribution;
import dev.tally.core.meter.GroupKey;
import dev.tally.core.meter.Meter;
import dev.tally.core.meter.PersistentCount;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One customer's persistent-count usage for a list of windows. A unit's state comes from its whole history:
 * the operations of every hour, of every meter version, are merged per group into one {@link UnitTimeline}
 * (kept per customer and meter beside the hourly buckets, which stay the truth), so a unit added under one version is removed by a remove under the next one, and units
 * added in an earlier period count in a later one without being sent again. How a window's value is measured
 * (prorated by day, active in the window, active at its end) is the setting of the version in force at the
 * window's last instant; the days are calendar days in the question's time zone (billing: the customer's).
 */
final class PersistentUsage {

    /** One window's value for one group of the customer, with the version it was measured by. */
    record Part(int window, GroupKey group, Meter version, BigDecimal value, long events) {
    }

    private PersistentUsage() {
    }

    /**
     * Keeps the customer's timelines of a meter up to date with one more contribution, if a query has built them
     * (call holding the customer's monitor). O(log n).
     */
    static void applied(CustomerUsage cu, Instant time, String tieBreak, Contribution c) {
        if (c.meter().aggregation() != Aggregation.PERSISTENT_COUNT) {
            return;
        }
        Map<GroupKey, UnitTimeline> byGroup = cu.timelines.get(c.meter().key());
        if (byGroup != null) {
            byGroup.computeIfAbsent(c.group(), g -> new UnitTimeline())
                    .add(new UnitTimeline.Operation(time, tieBreak, c.distinct(), c.value().signum() >= 0));
        }
    }

    /**
     * The customer's timelines of a meter: built once from every hourly bucket (after a restart, a rebuild or a
     * cancel, which drop them), then kept up to date by {@link #applied} (call holding the customer's monitor).
     */
    static Map<GroupKey, UnitTimeline> timelines(CustomerUsage cu, String meter) {
        Map<GroupKey, UnitTimeline> byGroup = cu.timelines.get(meter);
        if (byGroup != null) {
            return byGroup;
        }
        byGroup = new HashMap<>();
        Map<SeriesKey, TreeMap<Long, AggregateState>> series = cu.seriesByMeter.get(meter);
        if (series != null) {
            for (Map.Entry<SeriesKey, TreeMap<Long, AggregateState>> s : series.entrySet()) {
                UnitTimeline t = byGroup.computeIfAbsent(s.getKey().group(), g -> new UnitTimeline());
                for (AggregateState st : s.getValue().values()) {
                    ((AggregateState.Persistent) st).addTo(t);
                }
            }
        }
        cu.timelines.put(meter, byGroup);
        return byGroup;
    }

    static List<Part> of(Map<GroupKey, UnitTimeline> byGroup, List<Instant[]> windows, List<Meter> versions,
            ZoneId zone) {
        List<Part> out = new ArrayList<>();
        for (int wi = 0; wi < windows.size(); wi++) {
            Instant ws = windows.get(wi)[0];
            Instant we = windows.get(wi)[1];
            Meter version = inForceAt(versions, we.minusNanos(1));
            PersistentMeasure measure = version.persistent().orElse(PersistentCount.DEFAULT).measure();
            for (Map.Entry<GroupKey, UnitTimeline> g : byGroup.entrySet()) {
                BigDecimal value = g.getValue().value(ws, we, zone, measure);
                long events = g.getValue().operationsIn(ws, we);
                if (value.signum() != 0 || events > 0) {
                    out.add(new Part(wi, g.getKey(), version, value, events));
                }
            }
        }
        return out;
    }

    /** The version in force at an instant; the first version before any is. */
    static Meter inForceAt(List<Meter> versions, Instant at) {
        Meter found = versions.get(0);
        for (Meter m : versions) {
            if (m.effectiveFrom().isAfter(at)) {
                break;
            }
            found = m;
        }
        return found;
    }
}

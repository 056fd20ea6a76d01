package dev.tally.engine.usage;

import dev.tally.core.aggregate.AggregateState;
import dev.tally.core.aggregate.PersistentMeasure;
import dev.tally.core.aggregate.UnitTimeline;
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
 * the operations of every hour before a window's end, of every meter version, are merged per group into one
 * {@link UnitTimeline}, so a unit added under one version is removed by a remove under the next one, and units
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

    static List<Part> of(Map<SeriesKey, TreeMap<Long, AggregateState>> series, List<Instant[]> windows,
            List<Meter> versions, ZoneId zone) {
        List<Part> out = new ArrayList<>();
        if (series == null || windows.isEmpty()) {
            return out;
        }
        Instant end = windows.get(0)[1];
        for (Instant[] w : windows) {
            end = w[1].isAfter(end) ? w[1] : end;
        }
        long endHour = Hours.ceil(end);
        Map<GroupKey, UnitTimeline> byGroup = new HashMap<>();
        for (Map.Entry<SeriesKey, TreeMap<Long, AggregateState>> s : series.entrySet()) {
            UnitTimeline t = byGroup.computeIfAbsent(s.getKey().group(), g -> new UnitTimeline());
            for (AggregateState st : s.getValue().headMap(endHour, false).values()) {
                ((AggregateState.Persistent) st).addTo(t);
            }
        }
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

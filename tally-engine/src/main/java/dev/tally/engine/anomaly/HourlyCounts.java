package dev.tally.engine.anomaly;

import java.util.function.LongUnaryOperator;

/**
 * The hourly history rate baselines are learned from: for each customer × meter of a tenant, the number of events in
 * each hour of event time (hour {@code h} is [h × 3600, (h + 1) × 3600) seconds since the epoch) and the first hour
 * it has. The engine answers it from the usage store's hourly aggregates, which are rebuilt from the log, so a
 * restart loses no history.
 */
@FunctionalInterface
public interface HourlyCounts {
    /** Calls the visitor once per customer × meter of the tenant that has events. */
    void forEachSeries(String tenant, SeriesVisitor visitor);

    /** One customer × meter: its first hour and its event count at any hour (0 where it has none). */
    @FunctionalInterface
    interface SeriesVisitor {
        void visit(String customer, String meter, long firstHour, LongUnaryOperator eventsAt);
    }
}

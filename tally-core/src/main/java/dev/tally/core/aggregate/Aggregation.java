package dev.tally.core.aggregate;

import java.util.Arrays;
import java.util.Optional;

/** The aggregations a meter can use; {@link #wireName()} is the API spelling. */
public enum Aggregation {
    SUM("sum"),
    COUNT("count"),
    UNIQUE_COUNT("unique_count"),
    MAX("max"),
    MIN("min"),
    LATEST("latest"),
    AVG("avg"),
    TIME_WEIGHTED_SUM("time_weighted_sum"),
    /** Units (seats, users) active from an add until a remove, counted over any window from the whole history. */
    PERSISTENT_COUNT("persistent_count"),
    /** Time covered by start/heartbeat/stop events matched by a session key (see {@code DurationSpec}). */
    DURATION("duration");

    private final String wireName;

    Aggregation(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether each event must carry a numeric value (everything but count, unique_count, persistent_count and duration). */
    public boolean needsNumber() {
        return this != COUNT && this != UNIQUE_COUNT && this != PERSISTENT_COUNT && this != DURATION;
    }

    public static Optional<Aggregation> fromWireName(String name) {
        return Arrays.stream(values()).filter(a -> a.wireName.equals(name)).findFirst();
    }
}

package dev.tally.core.aggregate;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Optional;

/** The time unit a time-weighted sum is expressed in (value x unit, e.g. GB-hours). */
public enum TimeUnitOfMeasure {
    SECOND("second", 1), MINUTE("minute", 60), HOUR("hour", 3600), DAY("day", 86_400);

    private final String wireName;
    private final BigDecimal seconds;

    TimeUnitOfMeasure(String wireName, long seconds) {
        this.wireName = wireName;
        this.seconds = BigDecimal.valueOf(seconds);
    }

    public String wireName() {
        return wireName;
    }

    public BigDecimal seconds() {
        return seconds;
    }

    public static Optional<TimeUnitOfMeasure> fromWireName(String name) {
        return Arrays.stream(values()).filter(u -> u.wireName.equals(name)).findFirst();
    }
}

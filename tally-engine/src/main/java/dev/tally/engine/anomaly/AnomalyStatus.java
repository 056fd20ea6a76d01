package dev.tally.engine.anomaly;

import java.util.Arrays;
import java.util.Optional;

/**
 * The operator's review of an anomaly: {@code open} until someone acknowledges it (it is real) or dismisses it (a
 * false alarm); either ends its hold. Independent of whether the incident is still going on (its window).
 */
public enum AnomalyStatus {
    OPEN("open"), ACKNOWLEDGED("acknowledged"), DISMISSED("dismissed");

    private final String wireName;

    AnomalyStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<AnomalyStatus> fromWireName(String s) {
        return Arrays.stream(values()).filter(k -> k.wireName.equals(s)).findFirst();
    }
}

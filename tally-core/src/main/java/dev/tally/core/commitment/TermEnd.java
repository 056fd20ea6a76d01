package dev.tally.core.commitment;

import java.util.Arrays;
import java.util.Optional;

/**
 * What happens to what is left of a prepaid commitment when its term ends: {@link #FORFEIT} (it is gone),
 * {@link #ROLLOVER} (it becomes a new prepaid commitment over a next term of the same length, not invoiced again) or
 * {@link #CREDIT} (it becomes a grant in the customer's credit wallet). {@link #wireName()} is the API spelling.
 */
public enum TermEnd {
    FORFEIT("forfeit"),
    ROLLOVER("rollover"),
    CREDIT("credit");

    private final String wireName;

    TermEnd(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<TermEnd> fromWireName(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }
}

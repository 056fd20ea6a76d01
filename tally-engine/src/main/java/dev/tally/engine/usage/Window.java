package dev.tally.engine.usage;

import java.util.Arrays;
import java.util.Optional;

/** The size of the windows usage is reported in; {@code NONE} is one row for the whole range. */
public enum Window {
    HOUR("hour"), DAY("day"), MONTH("month"), NONE("none");

    private final String wireName;

    Window(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<Window> fromWireName(String s) {
        return Arrays.stream(values()).filter(w -> w.wireName.equals(s)).findFirst();
    }
}

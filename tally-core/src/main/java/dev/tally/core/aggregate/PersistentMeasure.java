package dev.tally.core.aggregate;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a persistent count reports for a window, given each unit's active intervals (from its add and remove
 * operations, over the whole history, not only the window's events). {@link #wireName()} is the API spelling.
 */
public enum PersistentMeasure {
    /**
     * Σ over units of the calendar days (in the window's time zone) on which the unit was active at some instant
     * inside the window, divided by the calendar days the window touches: a unit active all window counts 1, a
     * unit added on the 15th of a 30-day month counts 16/30 (Lago's prorated recurring unique count).
     */
    PRORATED_BY_DAY("prorated_by_day"),
    /** The units active at some instant inside the window, each counted once, for however short a time. */
    ACTIVE_IN_WINDOW("active_in_window"),
    /**
     * The units active at the window's last instant (Lago's non-prorated recurring unique count: a unit removed
     * in the period does not count for it).
     */
    ACTIVE_AT_END("active_at_end");

    private final String wireName;

    PersistentMeasure(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<PersistentMeasure> fromWireName(String name) {
        return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst();
    }
}

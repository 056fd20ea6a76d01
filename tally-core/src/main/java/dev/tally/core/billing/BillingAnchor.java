package dev.tally.core.billing;

import java.util.Arrays;
import java.util.Optional;

/**
 * Where billing periods are anchored. {@link #CALENDAR}: periods follow the calendar (weeks from Monday, months
 * from the 1st, quarters from Jan/Apr/Jul/Oct 1, years from Jan 1), and the first period is the partial stretch
 * from the subscription's start to the next boundary. {@link #ANNIVERSARY}: periods repeat from the local date the
 * subscription started (a subscription started on the 31st renews on the last day of shorter months).
 * {@link #wireName()} is the API spelling ({@code "calendar"}, {@code "anniversary"}).
 */
public enum BillingAnchor {
    CALENDAR("calendar"),
    ANNIVERSARY("anniversary");

    private final String wireName;

    BillingAnchor(String wireName) {
        this.wireName = wireName;
    }

    /** The API spelling, e.g. {@code "calendar"}. */
    public String wireName() {
        return wireName;
    }

    /** The anchor with this API spelling (exact, lower case), or empty. */
    public static Optional<BillingAnchor> fromWireName(String name) {
        return Arrays.stream(values()).filter(a -> a.wireName.equals(name)).findFirst();
    }
}

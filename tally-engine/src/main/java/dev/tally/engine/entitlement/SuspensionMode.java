package dev.tally.engine.entitlement;

import java.util.Arrays;
import java.util.Optional;

/**
 * How a suspension of a customer's entitlements answers checks: {@code hard} denies every feature at once
 * ({@code customer_suspended}); {@code grace} keeps answering as before until its grace ends, then denies like
 * {@code hard}; {@code soft} never denies and only reports the suspension next to each answer, for the caller to
 * act on (a banner, read-only mode).
 */
public enum SuspensionMode {
    SOFT("soft"), GRACE("grace"), HARD("hard");

    private final String wireName;

    SuspensionMode(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<SuspensionMode> fromWireName(String s) {
        return Arrays.stream(values()).filter(m -> m.wireName.equals(s)).findFirst();
    }
}

package dev.tally.core.billing;

import java.util.Arrays;
import java.util.Optional;

/**
 * How a metered feature's limit is enforced. {@link #HARD}: once the period's usage reaches the limit (plus any
 * grace), the feature is no longer allowed until the next period. {@link #SOFT}: the feature stays allowed past the
 * limit, and the excess is reported ({@code over_limit}, {@code overage}) for the caller to act on (warn, upsell,
 * bill overage). {@link #wireName()} is the API spelling ({@code "hard"}, {@code "soft"}).
 */
public enum LimitMode {
    HARD("hard"),
    SOFT("soft");

    private final String wireName;

    LimitMode(String wireName) {
        this.wireName = wireName;
    }

    /** The API spelling, e.g. {@code "hard"}. */
    public String wireName() {
        return wireName;
    }

    /** The mode with this API spelling (exact, lower case), or empty. */
    public static Optional<LimitMode> fromWireName(String name) {
        return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst();
    }
}

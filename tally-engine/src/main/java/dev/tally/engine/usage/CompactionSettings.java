package dev.tally.engine.usage;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * When hourly usage states are compacted to days and months ({@link UsageStore#compact}): hours older than
 * {@code after} (and older than the backdating window, and before every open invoice period) are merged.
 * {@code TALLY_USAGE_COMPACT_AFTER}: an ISO-8601 duration (default {@code P62D}), or {@code off}.
 *
 * @param after how old an hour must be before it is compacted; empty: never compacted
 */
public record CompactionSettings(Optional<Duration> after) {
    public static final Duration DEFAULT_AFTER = Duration.ofDays(62);
    public static final CompactionSettings DEFAULTS = new CompactionSettings(Optional.of(DEFAULT_AFTER));
    public static final CompactionSettings OFF = new CompactionSettings(Optional.empty());

    public CompactionSettings {
        if (after.isPresent() && after.get().isNegative()) {
            throw new IllegalArgumentException("TALLY_USAGE_COMPACT_AFTER must not be negative");
        }
    }

    /** From {@code TALLY_USAGE_COMPACT_AFTER}; an unparsable value is an error naming the variable. */
    public static CompactionSettings fromEnvironment(Map<String, String> env) {
        String v = env.get("TALLY_USAGE_COMPACT_AFTER");
        if (v == null || v.isBlank()) {
            return DEFAULTS;
        }
        if (v.trim().equalsIgnoreCase("off")) {
            return OFF;
        }
        try {
            return new CompactionSettings(Optional.of(Duration.parse(v.trim())));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("TALLY_USAGE_COMPACT_AFTER must be an ISO-8601 duration (P62D) or off: "
                    + v, e);
        }
    }
}

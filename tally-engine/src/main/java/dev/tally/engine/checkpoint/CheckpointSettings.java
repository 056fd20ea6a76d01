package dev.tally.engine.checkpoint;

import java.time.Duration;
import java.util.Map;

/**
 * How often checkpoints are taken and when their chain is compacted.
 *
 * @param interval time between scheduled checkpoints (taken only when the log grew); positive
 * @param compactAfterDeltas the chain is compacted into a new base once it holds this many deltas (at least 1), or
 *     earlier once the deltas together are larger than half the base
 */
public record CheckpointSettings(Duration interval, int compactAfterDeltas) {
    public static final CheckpointSettings DEFAULTS = new CheckpointSettings(Duration.ofMinutes(5), 12);

    public CheckpointSettings {
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the checkpoint interval must be positive");
        }
        if (compactAfterDeltas < 1) {
            throw new IllegalArgumentException("checkpoints must be compacted after at least 1 delta");
        }
    }

    /**
     * Reads {@code TALLY_CHECKPOINT_INTERVAL_SECONDS} (default 300) and {@code TALLY_CHECKPOINT_COMPACT_AFTER}
     * (deltas, default 12: hourly at the default interval).
     *
     * @throws IllegalArgumentException if a value is not a positive whole number
     */
    public static CheckpointSettings fromEnv(Map<String, String> env) {
        Duration interval = Duration.ofSeconds(positive(env, "TALLY_CHECKPOINT_INTERVAL_SECONDS",
                DEFAULTS.interval().toSeconds()));
        int compact = (int) positive(env, "TALLY_CHECKPOINT_COMPACT_AFTER", DEFAULTS.compactAfterDeltas());
        return new CheckpointSettings(interval, compact);
    }

    private static long positive(Map<String, String> env, String name, long fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n > 0 && n <= Integer.MAX_VALUE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a positive whole number, not '" + v + "'");
    }
}

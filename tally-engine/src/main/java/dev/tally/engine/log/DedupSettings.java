package dev.tally.engine.log;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the embedded store's duplicate index is bounded: how long ids are kept ({@code window}; empty means the
 * backdating window plus one day) and the heap its memory tier may use before it spills to disk
 * ({@code memoryBytes}). {@link #fromEnvironment} reads {@code TALLY_DEDUP_WINDOW_HOURS} and
 * {@code TALLY_DEDUP_MEMORY_MB} (1024; {@code TALLY_DEDUP_MEMORY_BYTES}, when set, in bytes instead).
 */
public record DedupSettings(Optional<Duration> window, long memoryBytes) {
    /** The default: the backdating window plus one day, 1 GiB of memory tier. */
    public static final DedupSettings DEFAULTS = new DedupSettings(Optional.empty(), 1024L * 1024 * 1024);

    public DedupSettings {
        Objects.requireNonNull(window, "window");
        if (window.isPresent() && (window.get().isNegative() || window.get().isZero())) {
            throw new IllegalArgumentException("the dedup window must be positive");
        }
        if (memoryBytes < 256) {
            throw new IllegalArgumentException("the dedup memory budget must be at least 256 bytes");
        }
    }

    /** The settings the environment gives, the defaults for what it does not name. */
    public static DedupSettings fromEnvironment(Map<String, String> env) {
        Optional<Duration> window = Optional.ofNullable(env.get("TALLY_DEDUP_WINDOW_HOURS")).filter(v -> !v.isBlank())
                .map(v -> Duration.ofHours(Long.parseLong(v.trim())));
        String bytes = env.get("TALLY_DEDUP_MEMORY_BYTES"); // finer, for tests and benchmarks
        if (bytes != null && !bytes.isBlank()) {
            return new DedupSettings(window, Long.parseLong(bytes.trim()));
        }
        long mb = Long.parseLong(env.getOrDefault("TALLY_DEDUP_MEMORY_MB", "1024").trim());
        if (mb < 1) {
            throw new IllegalArgumentException("TALLY_DEDUP_MEMORY_MB must be at least 1");
        }
        return new DedupSettings(window, mb * 1024 * 1024);
    }

    /**
     * The window in force with this backdating window and future tolerance.
     *
     * @throws IllegalArgumentException if a configured window is shorter than backdating plus tolerance
     *     (an id could be released while a re-send of its event would still be accepted)
     */
    public Duration windowFor(Duration backdating, Duration futureTolerance) {
        Duration min = backdating.plus(futureTolerance);
        Duration w = window.orElse(backdating.plusDays(1));
        if (w.compareTo(min) < 0) {
            throw new IllegalArgumentException("the dedup window (" + w + ") must be at least the backdating window "
                    + "plus the future tolerance (" + min + ")");
        }
        return w;
    }

    public DedupSettings withWindow(Duration w) {
        return new DedupSettings(Optional.of(w), memoryBytes);
    }

    public DedupSettings withMemoryBytes(long bytes) {
        return new DedupSettings(window, bytes);
    }
}

package dev.tally.engine.eventpartitions;

import dev.tally.engine.objectstore.DirectoryObjectStore;
import dev.tally.engine.objectstore.ObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How long months of events stay in the PostgreSQL database ({@code retention}; empty: forever, the default) and
 * where older months go ({@code target}, an object store; retention needs one), checked every {@code every}.
 * {@link #fromEnvironment} reads {@code TALLY_EVENTS_RETENTION_DAYS}, {@code TALLY_ARCHIVE_DIR} (a directory
 * target, the same one the embedded store's log archive uses) and {@code TALLY_EVENTS_RETENTION_EVERY_MINUTES} (60).
 */
public record PartitionSettings(Optional<Duration> retention, Optional<ObjectStore> target, Duration every) {
    /** Keep everything; no archive. */
    public static final PartitionSettings OFF = new PartitionSettings(Optional.empty(), Optional.empty(),
            Duration.ofHours(1));

    public PartitionSettings {
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(every, "every");
        if (retention.isPresent() && (retention.get().isNegative() || retention.get().isZero())) {
            throw new IllegalArgumentException("the event retention must be positive");
        }
        if (retention.isPresent() && target.isEmpty()) {
            throw new IllegalArgumentException("an event retention needs an archive target (TALLY_ARCHIVE_DIR)");
        }
        if (every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("the retention interval must be positive");
        }
    }

    /** The settings the environment gives; retention off when {@code TALLY_EVENTS_RETENTION_DAYS} is unset. */
    public static PartitionSettings fromEnvironment(Map<String, String> env) {
        Optional<Duration> retention = Optional.ofNullable(env.get("TALLY_EVENTS_RETENTION_DAYS"))
                .filter(v -> !v.isBlank()).map(v -> Duration.ofDays(Long.parseLong(v.trim())));
        Optional<ObjectStore> target = Optional.ofNullable(env.get("TALLY_ARCHIVE_DIR")).filter(v -> !v.isBlank())
                .map(v -> new DirectoryObjectStore(Path.of(v.trim())));
        Duration every = Duration.ofMinutes(Long.parseLong(
                env.getOrDefault("TALLY_EVENTS_RETENTION_EVERY_MINUTES", "60").trim()));
        return new PartitionSettings(retention, target, every);
    }

    /** Whether the retention job has anything to do. */
    public boolean enabled() {
        return retention.isPresent();
    }
}

package dev.tally.engine.archive;

import dev.tally.engine.objectstore.DirectoryObjectStore;
import dev.tally.engine.objectstore.ObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the embedded store's log is kept over time: whether closed segments are compressed ({@code compress}), how long
 * a closed segment stays on local disk at least ({@code localRetention}; it leaves later if the retention horizon
 * says so, see {@link RetentionHorizon}), where it goes then ({@code target}; none: it stays local, compressed), how
 * many archived segments fetched back for reading are cached ({@code cacheSegments}) and how often the pass runs
 * ({@code every}). {@link #fromEnvironment} reads {@code TALLY_LOG_COMPRESS} (true), {@code
 * TALLY_LOG_LOCAL_RETENTION_HOURS} (168), {@code TALLY_ARCHIVE_DIR} (a directory target) and {@code
 * TALLY_ARCHIVE_EVERY_MINUTES} (10); an S3 target is given by the server ({@code TALLY_ARCHIVE_S3_*}).
 */
public record ArchiveSettings(boolean compress, Duration localRetention, Optional<ObjectStore> target,
        int cacheSegments, Duration every) {
    /** Compress closed segments, keep them local (no target) for at least 7 days, check every 10 minutes. */
    public static final ArchiveSettings DEFAULTS =
            new ArchiveSettings(true, Duration.ofDays(7), Optional.empty(), 4, Duration.ofMinutes(10));

    public ArchiveSettings {
        Objects.requireNonNull(localRetention, "localRetention");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(every, "every");
        if (localRetention.isNegative()) {
            throw new IllegalArgumentException("the local retention must not be negative");
        }
        if (cacheSegments < 1) {
            throw new IllegalArgumentException("at least one archived segment must fit the read cache");
        }
        if (every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("the archival interval must be positive");
        }
        if (target.isPresent() && !compress) {
            throw new IllegalArgumentException("archiving needs compression (TALLY_LOG_COMPRESS=true)");
        }
    }

    /** The settings the environment gives, the defaults for what it does not name. */
    public static ArchiveSettings fromEnvironment(Map<String, String> env) {
        boolean compress = !"false".equalsIgnoreCase(env.getOrDefault("TALLY_LOG_COMPRESS", "true").trim());
        Duration retention = Duration.ofHours(Long.parseLong(
                env.getOrDefault("TALLY_LOG_LOCAL_RETENTION_HOURS", "168").trim()));
        Optional<ObjectStore> target = Optional.ofNullable(env.get("TALLY_ARCHIVE_DIR")).filter(v -> !v.isBlank())
                .map(v -> new DirectoryObjectStore(Path.of(v.trim())));
        Duration every = Duration.ofMinutes(Long.parseLong(
                env.getOrDefault("TALLY_ARCHIVE_EVERY_MINUTES", "10").trim()));
        return new ArchiveSettings(compress, retention, target, DEFAULTS.cacheSegments(), every);
    }

    /** The same settings archiving to {@code store}. */
    public ArchiveSettings withTarget(ObjectStore store) {
        return new ArchiveSettings(compress, localRetention, Optional.of(store), cacheSegments, every);
    }

    public ArchiveSettings withLocalRetention(Duration d) {
        return new ArchiveSettings(compress, d, target, cacheSegments, every);
    }
}

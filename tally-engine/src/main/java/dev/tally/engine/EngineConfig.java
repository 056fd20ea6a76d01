package dev.tally.engine;

import dev.tally.core.event.IngestLimits;
import dev.tally.engine.secrets.SecretsConfig;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the engine keeps its data and the limits it enforces. The bootstrap
 * key, when given, becomes the default tenant's admin key instead of a random one. Billing runs for every
 * tenant each {@code billingEvery} (zero: only when asked). With a {@code databaseUrl} (PostgreSQL), events,
 * metadata and billing live there and several processes may share it; the data directory then holds only
 * this process's checkpoint. {@code webhooks} says how webhooks are delivered (addresses allowed, schedules).
 * {@code secrets} says where the key that encrypts the stored secrets comes from (every process on one
 * database needs the same key). {@code dedup} bounds the embedded store's duplicate index (its window and the
 * heap of its memory tier; see {@link dev.tally.engine.log.DedupSettings}). {@code archive} says how the embedded
 * store's closed segments are compressed, kept and archived ({@link dev.tally.engine.archive.ArchiveSettings}).
 */
public record EngineConfig(Path dataDir, IngestLimits limits, Optional<String> bootstrapKey, long segmentBytes,
        java.time.Duration billingEvery, Optional<String> databaseUrl,
        dev.tally.engine.notify.WebhookSettings webhooks, SecretsConfig secrets,
        dev.tally.engine.log.DedupSettings dedup, dev.tally.engine.archive.ArchiveSettings archive) {
    public static final long DEFAULT_SEGMENT_BYTES = 256L * 1024 * 1024;

    /** A configuration with the default dedup settings. */
    public EngineConfig(Path dataDir, IngestLimits limits, Optional<String> bootstrapKey, long segmentBytes,
            java.time.Duration billingEvery, Optional<String> databaseUrl,
            dev.tally.engine.notify.WebhookSettings webhooks, SecretsConfig secrets) {
        this(dataDir, limits, bootstrapKey, segmentBytes, billingEvery, databaseUrl, webhooks, secrets,
                dev.tally.engine.log.DedupSettings.DEFAULTS);
    }

    /** A configuration with the default archive settings. */
    public EngineConfig(Path dataDir, IngestLimits limits, Optional<String> bootstrapKey, long segmentBytes,
            java.time.Duration billingEvery, Optional<String> databaseUrl,
            dev.tally.engine.notify.WebhookSettings webhooks, SecretsConfig secrets,
            dev.tally.engine.log.DedupSettings dedup) {
        this(dataDir, limits, bootstrapKey, segmentBytes, billingEvery, databaseUrl, webhooks, secrets, dedup,
                dev.tally.engine.archive.ArchiveSettings.DEFAULTS);
    }

    public EngineConfig {
        Objects.requireNonNull(archive);
        Objects.requireNonNull(dedup);
        dedup.windowFor(limits.backdatingWindow(), limits.futureTolerance()); // refuses a window too short
        Objects.requireNonNull(dataDir);
        Objects.requireNonNull(limits);
        Objects.requireNonNull(bootstrapKey);
        Objects.requireNonNull(databaseUrl);
        Objects.requireNonNull(webhooks);
        Objects.requireNonNull(secrets);
        if (bootstrapKey.isPresent() && bootstrapKey.get().length() < 16) {
            throw new IllegalArgumentException("the bootstrap key must have at least 16 characters");
        }
        if (billingEvery.isNegative()) {
            throw new IllegalArgumentException("the billing interval must not be negative");
        }
        if (segmentBytes < 4096) {
            throw new IllegalArgumentException("segments must be at least 4 KiB");
        }
    }

    /** The same configuration on PostgreSQL. */
    public EngineConfig onPostgres(String url) {
        return new EngineConfig(dataDir, limits, bootstrapKey, segmentBytes, billingEvery, Optional.of(url), webhooks,
                secrets, dedup, archive);
    }

    /** The same configuration with the secrets key from elsewhere. */
    public EngineConfig withSecrets(SecretsConfig s) {
        return new EngineConfig(dataDir, limits, bootstrapKey, segmentBytes, billingEvery, databaseUrl, webhooks, s,
                dedup, archive);
    }

    /** The same configuration with these dedup settings. */
    public EngineConfig withDedup(dev.tally.engine.log.DedupSettings d) {
        return new EngineConfig(dataDir, limits, bootstrapKey, segmentBytes, billingEvery, databaseUrl, webhooks, secrets,
                d, archive);
    }

    /** The same configuration with these archive settings. */
    public EngineConfig withArchive(dev.tally.engine.archive.ArchiveSettings a) {
        return new EngineConfig(dataDir, limits, bootstrapKey, segmentBytes, billingEvery, databaseUrl, webhooks, secrets,
                dedup, a);
    }

    /** The same configuration with segments of this size (tests roll segments quickly). */
    public EngineConfig withSegmentBytes(long bytes) {
        return new EngineConfig(dataDir, limits, bootstrapKey, bytes, billingEvery, databaseUrl, webhooks, secrets,
                dedup, archive);
    }

    public static EngineConfig of(Path dataDir) {
        return new EngineConfig(dataDir, IngestLimits.DEFAULTS, Optional.empty(), DEFAULT_SEGMENT_BYTES,
                java.time.Duration.ZERO, Optional.empty(), dev.tally.engine.notify.WebhookSettings.MANUAL,
                SecretsConfig.DEFAULT);
    }
}

package dev.tally.engine;

import dev.tally.core.event.IngestLimits;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the engine keeps its data and the limits it enforces. The bootstrap
 * key, when given, becomes the default tenant's admin key instead of a random one. Billing runs for every
 * tenant each {@code billingEvery} (zero: only when asked).
 */
public record EngineConfig(Path dataDir, IngestLimits limits, Optional<String> bootstrapKey, long segmentBytes,
        java.time.Duration billingEvery) {
    public static final long DEFAULT_SEGMENT_BYTES = 256L * 1024 * 1024;

    public EngineConfig {
        Objects.requireNonNull(dataDir);
        Objects.requireNonNull(limits);
        Objects.requireNonNull(bootstrapKey);
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

    public static EngineConfig of(Path dataDir) {
        return new EngineConfig(dataDir, IngestLimits.DEFAULTS, Optional.empty(), DEFAULT_SEGMENT_BYTES,
                java.time.Duration.ZERO);
    }
}

package dev.tally.core.event;

import java.time.Duration;

/**
 * The published limits of one ingest request and the time window events must
 * fall in. Defaults: 10,000 events, 10 MiB per request, 64 KiB per event,
 * 5 minutes of clock skew into the future, 35 days of backdating.
 */
public record IngestLimits(int maxEvents, int maxRequestBytes, int maxEventBytes, Duration futureTolerance,
        Duration backdatingWindow) {
    public static final IngestLimits DEFAULTS = new IngestLimits(10_000, 10 * 1024 * 1024, 64 * 1024,
            Duration.ofMinutes(5), Duration.ofDays(35));

    public IngestLimits {
        if (maxEvents < 1 || maxRequestBytes < 1 || maxEventBytes < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (futureTolerance.isNegative() || backdatingWindow.isNegative() || backdatingWindow.isZero()) {
            throw new IllegalArgumentException("time windows must be positive");
        }
    }

    public IngestLimits withBackdatingWindow(Duration window) {
        return new IngestLimits(maxEvents, maxRequestBytes, maxEventBytes, futureTolerance, window);
    }
}

package dev.tally.engine.access;

import dev.tally.engine.store.ApiKey;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-key token buckets (in this process): a key with a limit of r per second and burst b holds up to b
 * tokens, refilled continuously at r per second; each request takes one. Thread-safe.
 */
public final class RateLimiter {
    private final Clock clock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** The outcome of one request against a bucket. */
    public record Decision(boolean allowed, int limit, int remaining, long resetSeconds, long retryAfterSeconds) {
    }

    private static final class Bucket {
        long tokensMicro;
        long updatedNanos;
    }

    public RateLimiter(Clock clock) {
        this.clock = clock;
    }

    public Decision take(String keyId, ApiKey.RateLimit limit) {
        long now = clock.instant().getEpochSecond() * 1_000_000_000L + clock.instant().getNano();
        long capacity = limit.burst() * 1_000_000L;
        Bucket b = buckets.computeIfAbsent(keyId, k -> {
            Bucket fresh = new Bucket();
            fresh.tokensMicro = capacity;
            fresh.updatedNanos = now;
            return fresh;
        });
        synchronized (b) {
            long elapsed = Math.max(0, now - b.updatedNanos);
            b.tokensMicro = Math.min(capacity, b.tokensMicro + elapsed / 1000 * limit.perSecond());
            b.updatedNanos = now;
            if (b.tokensMicro >= 1_000_000L) {
                b.tokensMicro -= 1_000_000L;
                long toFull = (capacity - b.tokensMicro) / limit.perSecond();
                return new Decision(true, limit.burst(), (int) (b.tokensMicro / 1_000_000L), ceilSeconds(toFull), 0);
            }
            long missing = 1_000_000L - b.tokensMicro;
            long waitMicros = missing / limit.perSecond();
            long toFull = (capacity - b.tokensMicro) / limit.perSecond();
            return new Decision(false, limit.burst(), 0, ceilSeconds(toFull), Math.max(1, ceilSeconds(waitMicros)));
        }
    }

    private static long ceilSeconds(long micros) {
        return (micros + 999_999) / 1_000_000;
    }
}

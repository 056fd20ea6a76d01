package dev.tally.engine.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A stored API key: never the secret, only its id, the first characters shown to people (its lookup
 * prefix), tenant, scopes, expiry, revocation and rate limit.
 */
public record ApiKey(String id, String tenant, String prefix, String name, Set<String> scopes, Instant createdAt,
        Optional<Instant> expiresAt, Optional<Instant> revokedAt, Optional<RateLimit> rateLimit) {

    /** A token bucket: {@code perSecond} refill, {@code burst} capacity. */
    public record RateLimit(int perSecond, int burst) {
        public RateLimit {
            if (perSecond < 1 || burst < 1) {
                throw new IllegalArgumentException("a rate limit needs a positive rate and burst");
            }
        }
    }

    public ApiKey {
        Objects.requireNonNull(id);
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(prefix);
        Objects.requireNonNull(name);
        scopes = Set.copyOf(scopes);
        Objects.requireNonNull(createdAt);
        Objects.requireNonNull(expiresAt);
        Objects.requireNonNull(revokedAt);
        Objects.requireNonNull(rateLimit);
    }

    /** Usable at an instant: not revoked and not expired. */
    public boolean liveAt(Instant now) {
        return revokedAt.isEmpty() && expiresAt.map(now::isBefore).orElse(true);
    }
}

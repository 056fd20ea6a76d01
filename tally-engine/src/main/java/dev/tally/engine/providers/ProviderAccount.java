package dev.tally.engine.providers;

import java.time.Instant;
import java.util.Objects;

/**
 * A tenant's connected provider account as the API may show it: never the credentials, only a {@code hint} (e.g.
 * the last four characters of the API key), when it was first connected and when its credentials last changed.
 */
public record ProviderAccount(String tenant, String provider, String hint, Instant connectedAt, Instant updatedAt) {
    public ProviderAccount {
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(provider);
        Objects.requireNonNull(hint);
        Objects.requireNonNull(connectedAt);
        Objects.requireNonNull(updatedAt);
    }
}

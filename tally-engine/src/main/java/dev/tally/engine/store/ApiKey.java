package dev.tally.engine.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/** A stored API key: never the secret, only its id, display prefix, tenant, scopes and state. */
public record ApiKey(String id, String tenant, String prefix, String name, Set<String> scopes, Instant createdAt) {
    public ApiKey {
        Objects.requireNonNull(id);
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(prefix);
        Objects.requireNonNull(name);
        scopes = Set.copyOf(scopes);
        Objects.requireNonNull(createdAt);
    }
}

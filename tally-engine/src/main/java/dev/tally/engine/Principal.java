package dev.tally.engine;

import java.util.Objects;
import java.util.Set;

/** Who a request acts as: the tenant an API key belongs to and the key's scopes. */
public record Principal(String tenant, String keyId, Set<String> scopes) {
    public Principal {
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(keyId);
        scopes = Set.copyOf(scopes);
    }
}

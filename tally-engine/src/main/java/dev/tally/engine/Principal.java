package dev.tally.engine;

import dev.tally.engine.store.ApiKey;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who a request acts as: the tenant, the key (or portal token) and its scopes; for a customer-portal token,
 * the one customer it may read; the key's rate limit, if it has one.
 */
public record Principal(String tenant, String keyId, Set<String> scopes, Optional<String> customer,
        Optional<ApiKey.RateLimit> rateLimit) {
    public Principal {
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(keyId);
        scopes = Set.copyOf(scopes);
        Objects.requireNonNull(customer);
        Objects.requireNonNull(rateLimit);
    }

    /** Whether the principal holds a scope (admin implies read and ingest). */
    public boolean can(String scope) {
        return scopes.contains(scope) || scopes.contains("admin") && !scope.equals("system") && !scope.equals("portal");
    }
}

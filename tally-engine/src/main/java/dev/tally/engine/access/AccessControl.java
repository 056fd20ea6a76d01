package dev.tally.engine.access;

import dev.tally.core.validation.ValidationException;
import dev.tally.engine.Principal;
import dev.tally.engine.store.ApiKey;
import dev.tally.engine.store.Database;
import dev.tally.engine.store.KeyStore;
import dev.tally.engine.store.MetadataStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Authentication and key management. Keys are cached after their first use; revoking through this process
 * takes effect on the very next request, and on a shared store every request re-checks the key's state in
 * the database, so a revocation made elsewhere does too. Expiry is checked on every request.
 */
public final class AccessControl {
    public static final Set<String> SCOPES = Set.of("ingest", "read", "admin", "system");
    public static final Duration MAX_PORTAL_TTL = Duration.ofHours(24);
    private static final Pattern TENANT_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    private final MetadataStore meta;
    private final KeyStore keys;
    private final PortalTokens portal;
    private final PortalTokenGenerations generations;
    private final RateLimiter limiter;
    private final Clock clock;
    private final boolean shared;
    private final Map<String, ApiKey> cache = new ConcurrentHashMap<>();

    /** A key as created: the stored key and its secret, which is shown this once. */
    public record CreatedKey(ApiKey key, String secret) {
    }

    public AccessControl(Database db, MetadataStore meta, KeyStore keys, PortalTokens portal, Clock clock,
            boolean shared) {
        this.meta = meta;
        this.keys = keys;
        this.portal = portal;
        this.generations = new PortalTokenGenerations(db);
        this.limiter = new RateLimiter(clock);
        this.clock = clock;
        this.shared = shared;
    }

    /**
     * The principal of a bearer credential: a live API key, or an unexpired portal token signed with its tenant's
     * key whose generation is still its customer's current one (not revoked).
     */
    public Optional<Principal> authenticate(String bearer) {
        Instant now = clock.instant();
        if (bearer.startsWith(PortalTokens.PREFIX)) {
            return portal.verify(bearer, now)
                    .filter(c -> generations.current(c.tenant(), c.customer()).map(g -> g == c.generation()).orElse(false))
                    .map(c -> new Principal(c.tenant(), "portal", Set.of("portal"), Optional.of(c.customer()),
                            Optional.empty()));
        }
        ApiKey key = cache.get(bearer);
        if (key == null || shared) {
            Optional<ApiKey> found = keys.find(bearer);
            if (found.isEmpty()) {
                cache.remove(bearer);
                return Optional.empty();
            }
            key = found.get();
            cache.put(bearer, key);
        }
        if (!key.liveAt(now)) {
            return Optional.empty();
        }
        return Optional.of(new Principal(key.tenant(), key.id(), key.scopes(), Optional.empty(), key.rateLimit()));
    }

    /** Takes one request from the principal's rate limit; keys without a limit are always allowed. */
    public Optional<RateLimiter.Decision> take(Principal p) {
        return p.rateLimit().map(l -> limiter.take(p.keyId(), l));
    }

    public CreatedKey createKey(String tenant, String name, Set<String> scopes, Optional<Instant> expiresAt,
            Optional<ApiKey.RateLimit> rateLimit) {
        if (scopes.isEmpty() || !SCOPES.containsAll(scopes) || scopes.contains("system")) {
            throw new ValidationException("scopes", "must be a non-empty subset of ingest, read, admin");
        }
        if (expiresAt.isPresent() && !expiresAt.get().isAfter(clock.instant())) {
            throw new ValidationException("expires_at", "must be in the future");
        }
        String secret = KeyStore.newSecret();
        return new CreatedKey(keys.create(tenant, secret, name, scopes, expiresAt, rateLimit, clock.instant()), secret);
    }

    public List<ApiKey> keys(String tenant) {
        return keys.list(tenant);
    }

    /** Revokes a key; the next request with it is refused. */
    public boolean revoke(String tenant, String id) {
        boolean revoked = keys.revoke(tenant, id, clock.instant());
        cache.values().removeIf(k -> k.id().equals(id));
        return revoked;
    }

    /** Creates a tenant and its first admin key (shown once). */
    public CreatedKey createTenant(String id, String name) {
        if (!TENANT_ID.matcher(id).matches()) {
            throw new ValidationException("id", "must be 1-63 lowercase letters, digits, '_' or '-'");
        }
        if (meta.tenantExists(id)) {
            throw new TenantExistsException(id);
        }
        meta.createTenant(id, name, clock.instant());
        String secret = KeyStore.newSecret();
        return new CreatedKey(keys.create(id, secret, "first admin key", Set.of("admin"), Optional.empty(),
                Optional.empty(), clock.instant()), secret);
    }

    /**
     * A portal token for one customer (which must exist: else empty), valid for {@code ttl} (at most a day) and
     * until the customer's tokens are revoked.
     */
    public Optional<PortalTokens.Claims> portalClaims(String tenant, String customer, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_PORTAL_TTL) > 0) {
            throw new ValidationException("ttl_seconds", "must be between 1 second and 24 hours");
        }
        return generations.current(tenant, customer)
                .map(g -> new PortalTokens.Claims(tenant, customer, g, clock.instant().plus(ttl)));
    }

    /**
     * Revokes every portal token issued so far for a customer (the next request with one gets 401, on every
     * process); returns the customer's new token generation, or empty when there is no such customer.
     */
    public Optional<Long> revokePortalTokens(String tenant, String customer) {
        return generations.bump(tenant, customer);
    }

    public String issuePortalToken(PortalTokens.Claims claims) {
        return portal.issue(claims);
    }
}

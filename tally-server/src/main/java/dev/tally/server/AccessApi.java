package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.input.InstantInput;
import dev.tally.core.input.InvalidInputException;
import dev.tally.engine.Engine;
import dev.tally.engine.access.AccessControl;
import dev.tally.engine.access.PortalTokens;
import dev.tally.engine.store.ApiKey;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/** {@code /v1/api-keys}, {@code /v1/tenants} and portal-token issuing. */
final class AccessApi {
    private final Engine engine;
    private final ObjectMapper mapper;

    AccessApi(Engine engine, ObjectMapper mapper) {
        this.engine = engine;
        this.mapper = mapper;
    }

    private JsonNode body(Request r) throws IOException {
        return JsonBody.read(r, 64 * 1024);
    }

    static ObjectNode write(ObjectMapper mapper, ApiKey k) {
        ObjectNode o = mapper.createObjectNode();
        o.put("id", k.id());
        o.put("name", k.name());
        o.put("prefix", k.prefix());
        ArrayNode scopes = o.putArray("scopes");
        k.scopes().stream().sorted().forEach(scopes::add);
        o.put("created_at", k.createdAt().toString());
        k.expiresAt().ifPresentOrElse(t -> o.put("expires_at", t.toString()), () -> o.putNull("expires_at"));
        k.revokedAt().ifPresentOrElse(t -> o.put("revoked_at", t.toString()), () -> o.putNull("revoked_at"));
        k.rateLimit().ifPresentOrElse(l -> o.putObject("rate_limit").put("requests_per_second", l.perSecond())
                .put("burst", l.burst()), () -> o.putNull("rate_limit"));
        return o;
    }

    private ObjectNode created(AccessControl.CreatedKey c) {
        ObjectNode o = write(mapper, c.key());
        o.put("key", c.secret());
        return o;
    }

    void createKey(Request r) throws IOException {
        JsonNode b = body(r);
        String name = b.path("name").asText("");
        if (name.isBlank()) {
            throw HttpError.badRequest("name", "is required");
        }
        Set<String> scopes = new LinkedHashSet<>();
        if (!b.path("scopes").isArray()) {
            throw HttpError.badRequest("scopes", "is required: a list of ingest, read, admin");
        }
        b.get("scopes").forEach(s -> scopes.add(s.asText()));
        Optional<Instant> expires = Optional.empty();
        if (b.hasNonNull("expires_at")) {
            try {
                expires = Optional.of(InstantInput.parse(b.get("expires_at").asText()));
            } catch (InvalidInputException e) {
                throw HttpError.badRequest("expires_at", e.problem());
            }
        }
        Optional<ApiKey.RateLimit> limit = Optional.empty();
        if (b.hasNonNull("rate_limit")) {
            JsonNode l = b.get("rate_limit");
            int rps = l.path("requests_per_second").asInt(0);
            int burst = l.path("burst").asInt(rps);
            if (rps < 1 || rps > 1_000_000 || burst < 1 || burst > 1_000_000) {
                throw HttpError.badRequest("rate_limit", "needs requests_per_second and burst from 1 to 1,000,000");
            }
            limit = Optional.of(new ApiKey.RateLimit(rps, burst));
        }
        AccessControl.CreatedKey c = engine.access().createKey(r.tenant(), name, scopes, expires, limit);
        Responses.json(r.exchange, 201, created(c), mapper);
    }

    void listKeys(Request r) throws IOException {
        ObjectNode out = mapper.createObjectNode();
        ArrayNode list = out.putArray("api_keys");
        engine.access().keys(r.tenant()).forEach(k -> list.add(write(mapper, k)));
        Responses.json(r.exchange, 200, out, mapper);
    }

    void revokeKey(Request r) throws IOException {
        if (!engine.access().revoke(r.tenant(), r.path("id"))) {
            throw HttpError.notFound("no live API key '" + r.path("id") + "'");
        }
        Responses.send(r.exchange, 204, "application/json", new byte[0]);
    }

    void createTenant(Request r) throws IOException {
        JsonNode b = body(r);
        String id = b.path("id").asText("");
        AccessControl.CreatedKey c;
        try {
            c = engine.access().createTenant(id, b.path("name").asText(id));
        } catch (dev.tally.engine.access.TenantExistsException e) {
            throw new HttpError(409, "conflict", "Conflict", e.getMessage());
        }
        ObjectNode o = mapper.createObjectNode();
        o.put("id", id);
        o.set("admin_key", created(c));
        Responses.json(r.exchange, 201, o, mapper);
    }

    void listTenants(Request r) throws IOException {
        ObjectNode out = mapper.createObjectNode();
        ArrayNode list = out.putArray("tenants");
        engine.tenants().forEach(list::add);
        Responses.json(r.exchange, 200, out, mapper);
    }

    void portalToken(Request r) throws IOException {
        String customer = r.path("external_id");
        engine.billing().customer(r.tenant(), customer);
        JsonNode b = body(r);
        long ttl = b.path("ttl_seconds").asLong(3600);
        PortalTokens.Claims claims = engine.access().portalClaims(r.tenant(), customer, Duration.ofSeconds(ttl))
                .orElseThrow(() -> HttpError.notFound("no customer '" + customer + "'"));
        String token = engine.access().issuePortalToken(claims);
        ObjectNode o = mapper.createObjectNode();
        o.put("token", token);
        o.put("customer", customer);
        o.put("expires_at", claims.expiresAt().toString());
        o.put("url", "/portal#token=" + token);
        Responses.json(r.exchange, 201, o, mapper);
    }

    /** Revokes every portal token issued so far for the customer. */
    void revokePortalTokens(Request r) throws IOException {
        String customer = r.path("external_id");
        long generation = engine.access().revokePortalTokens(r.tenant(), customer)
                .orElseThrow(() -> HttpError.notFound("no customer '" + customer + "'"));
        ObjectNode o = mapper.createObjectNode();
        o.put("customer", customer);
        o.put("token_generation", generation);
        o.put("revoked_at", engine.clock().instant().toString());
        Responses.json(r.exchange, 200, o, mapper);
    }
}

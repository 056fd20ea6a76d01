package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.engine.Engine;
import dev.tally.engine.Principal;
import dev.tally.engine.audit.Actor;
import dev.tally.engine.audit.AuditEntry;
import dev.tally.engine.store.ApiKey;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a route's handler and, when the route mutates and its request succeeded (2xx), appends exactly one audit
 * record: the actor from the authenticated key (id and name), a portal token's customer, or {@code system} for the
 * unauthenticated Stripe webhook; the resource and id as {@link AuditedRoutes} declares; the state before and after
 * read in-process through the resource's canonical GET (or the response body); and the request id. A failed
 * request writes nothing; a failure to write the record is logged and does not undo the answered change.
 */
final class AuditRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(AuditRecorder.class);
    private final Engine engine;
    private final ObjectMapper mapper;
    private final Supplier<List<Route>> routes;

    AuditRecorder(Engine engine, ObjectMapper mapper, Supplier<List<Route>> routes) {
        this.engine = engine;
        this.mapper = mapper;
        this.routes = routes;
    }

    void handle(Route route, Request request, String requestId) throws Exception {
        String name = route.method() + " " + route.template();
        AuditedRoutes.Spec spec = AuditedRoutes.AUDITED.get(name);
        if (!AuditedRoutes.mutating(route.method()) || spec == null) {
            if (AuditedRoutes.mutating(route.method()) && !AuditedRoutes.EXCLUDED.containsKey(name)) {
                LOG.warn("mutating route {} is neither audited nor excluded (see AuditedRoutes)", name);
            }
            route.handler().handle(request);
            return;
        }
        Optional<String> tenant = request.principal != null ? Optional.of(request.principal.tenant())
                : Optional.ofNullable(request.path("tenant"));
        Actor actor = actor(request.principal);
        Optional<JsonNode> before = Optional.empty();
        Optional<String> knownId = knownId(spec, request);
        if (spec.read().isPresent() && knownId.isPresent() && request.principal != null) {
            before = read(spec.read().get(), request, knownId.get());
        }
        AuditExchange tee = AuditExchange.tee(request.exchange);
        Request teed = new Request(tee, request.pathParams);
        teed.principal = request.principal;
        route.handler().handle(teed);
        if (tee.status() / 100 != 2 || tenant.isEmpty()) {
            return;
        }
        try {
            Optional<JsonNode> answer = json(tee.body());
            Optional<String> id = knownId.or(() -> answer.map(a -> a.get(spec.id().substring(1)))
                    .filter(JsonNode::isValueNode).map(JsonNode::asText));
            Optional<JsonNode> after = spec.read().isPresent() && id.isPresent() && request.principal != null
                    ? read(spec.read().get(), request, id.get()) : answer;
            engine.audit().append(new AuditEntry(tenant.get(), actor, spec.resource(), id.orElse("unknown"), name,
                    Optional.of(requestId), before, after));
        } catch (RuntimeException e) {
            LOG.error("could not write the audit record of {} (request id {})", name, requestId, e);
        }
    }

    private Actor actor(Principal p) {
        if (p == null) {
            return Actor.system();
        }
        if (p.customer().isPresent()) {
            return Actor.portal(p.customer().get());
        }
        String keyName = engine.access().keys(p.tenant()).stream().filter(k -> k.id().equals(p.keyId()))
                .map(ApiKey::name).findFirst().orElse(p.keyId());
        return Actor.key(p.keyId(), keyName);
    }

    /** The id when the request alone names it (path, tenant or constant); empty when the response must say it. */
    private static Optional<String> knownId(AuditedRoutes.Spec spec, Request request) {
        String id = spec.id();
        if (id.startsWith("$")) {
            return Optional.empty();
        }
        if (id.equals("@tenant")) {
            return Optional.of(request.principal.tenant());
        }
        if (id.startsWith("=")) {
            return Optional.of(id.substring(1));
        }
        String out = id;
        for (Map.Entry<String, String> e : request.pathParams.entrySet()) {
            out = out.replace("{" + e.getKey() + "}", e.getValue());
        }
        return Optional.of(out);
    }

    /** The resource's state as its canonical GET answers it to the same principal, in-process; empty if not 200. */
    private Optional<JsonNode> read(String template, Request request, String id) {
        Map<String, String> params = new HashMap<>(request.pathParams);
        params.put("$", id);
        String path = template;
        for (Map.Entry<String, String> e : params.entrySet()) {
            path = path.replace("{" + e.getKey() + "}", URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)
                    .replace("+", "%20"));
        }
        String[] segments = path.substring(1).split("/", -1);
        for (Route r : routes.get()) {
            if (!r.method().equals("GET")) {
                continue;
            }
            Optional<Map<String, String>> matched = r.match(segments);
            if (matched.isEmpty()) {
                continue;
            }
            AuditExchange local = AuditExchange.local(path);
            Request get = new Request(local, matched.get());
            get.principal = request.principal;
            try {
                r.handler().handle(get);
            } catch (Exception e) {
                return Optional.empty();
            }
            return local.status() == 200 ? json(local.body()) : Optional.empty();
        }
        return Optional.empty();
    }

    private Optional<JsonNode> json(byte[] body) {
        if (body.length == 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(mapper.readTree(body));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }
}

package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.engine.notify.DeliveryAttempt;
import dev.tally.engine.notify.EndpointSecret;
import dev.tally.engine.notify.WebhookDelivery;
import dev.tally.engine.notify.WebhookEndpoint;
import dev.tally.engine.notify.Webhooks;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Webhook endpoints (secrets shown once, rotation), the delivery log and manual retries. */
final class WebhooksApi {
    private static final int MAX_BODY = 64 * 1024;

    private final Webhooks webhooks;
    private final ObjectMapper mapper;

    WebhooksApi(Webhooks webhooks, ObjectMapper mapper) {
        this.webhooks = webhooks;
        this.mapper = mapper;
    }

    private JsonNode body(Request r) throws IOException {
        return JsonBody.object(r, MAX_BODY);
    }

    // ---- endpoints

    void create(Request r) throws IOException {
        JsonNode b = body(r);
        if (!b.path("url").isTextual() || b.get("url").asText().isBlank()) {
            throw HttpError.badRequest("url", "is required: the http or https URL to POST messages to");
        }
        List<String> types = new ArrayList<>();
        JsonNode t = b.get("event_types");
        if (t != null && !t.isNull()) {
            if (!t.isArray()) {
                throw HttpError.badRequest("event_types", "must be an array of event type names (empty: all types)");
            }
            for (int i = 0; i < t.size(); i++) {
                if (!t.get(i).isTextual()) {
                    throw HttpError.badRequest("event_types[" + i + "]", "must be a string");
                }
                types.add(t.get(i).asText());
            }
        }
        JsonNode d = b.get("description");
        if (d != null && !d.isNull() && !d.isTextual()) {
            throw HttpError.badRequest("description", "must be a string");
        }
        EndpointSecret created = webhooks.createEndpoint(r.tenant(), b.get("url").asText(), types,
                d == null || d.isNull() ? "" : d.asText());
        Responses.json(r.exchange, 201, withSecret(created), mapper);
    }

    void list(Request r) throws IOException {
        ObjectNode out = mapper.createObjectNode();
        ArrayNode list = out.putArray("webhook_endpoints");
        webhooks.endpoints(r.tenant()).forEach(e -> list.add(endpoint(e)));
        Responses.json(r.exchange, 200, out, mapper);
    }

    void get(Request r) throws IOException {
        Responses.json(r.exchange, 200, endpoint(webhooks.endpoint(r.tenant(), r.path("id"))), mapper);
    }

    void delete(Request r) throws IOException {
        webhooks.deleteEndpoint(r.tenant(), r.path("id"));
        Responses.send(r.exchange, 204, "application/json", new byte[0]);
    }

    void rotateSecret(Request r) throws IOException {
        Responses.json(r.exchange, 200, withSecret(webhooks.rotateSecret(r.tenant(), r.path("id"))), mapper);
    }

    void enable(Request r) throws IOException {
        Responses.json(r.exchange, 200, endpoint(webhooks.enableEndpoint(r.tenant(), r.path("id"))), mapper);
    }

    private ObjectNode withSecret(EndpointSecret s) {
        ObjectNode o = endpoint(s.endpoint());
        o.put("secret", s.secret());
        return o;
    }

    private ObjectNode endpoint(WebhookEndpoint e) {
        ObjectNode o = mapper.createObjectNode();
        o.put("id", e.id());
        o.put("url", e.url());
        o.put("description", e.description());
        ArrayNode types = o.putArray("event_types");
        e.eventTypes().forEach(types::add);
        o.put("status", e.status().wireName());
        o.put("created_at", e.createdAt().toString());
        o.put("updated_at", e.updatedAt().toString());
        time(o, "failing_since", e.failingSince());
        time(o, "disabled_at", e.disabledAt());
        e.disabledReason().ifPresentOrElse(v -> o.put("disabled_reason", v), () -> o.putNull("disabled_reason"));
        time(o, "previous_secret_expires_at", e.previousSecretExpiresAt());
        return o;
    }

    // ---- deliveries

    void deliveries(Request r) throws IOException {
        Optional<String> endpoint = r.param("endpoint");
        int limit = r.integer("limit", 1, 1000).orElse(100);
        List<WebhookDelivery> list = webhooks.deliveries(r.tenant(), endpoint, limit);
        ObjectNode out = mapper.createObjectNode();
        endpoint.ifPresent(id -> out.set("endpoint", endpoint(webhooks.endpoint(r.tenant(), id))));
        ArrayNode a = out.putArray("deliveries");
        list.forEach(d -> a.add(delivery(d)));
        Responses.json(r.exchange, 200, out, mapper);
    }

    void delivery(Request r) throws IOException {
        Responses.json(r.exchange, 200, delivery(webhooks.delivery(r.tenant(), r.path("id"))), mapper);
    }

    void retry(Request r) throws IOException {
        Responses.json(r.exchange, 200, delivery(webhooks.retry(r.tenant(), r.path("id"))), mapper);
    }

    private ObjectNode delivery(WebhookDelivery d) {
        ObjectNode o = mapper.createObjectNode();
        o.put("id", d.id());
        o.put("endpoint", d.endpointId());
        o.put("message_id", d.messageId());
        o.put("type", d.type());
        o.put("status", d.status().wireName());
        o.put("attempt_count", d.attemptCount());
        time(o, "next_attempt_at", d.nextAttemptAt());
        o.put("created_at", d.createdAt().toString());
        ArrayNode attempts = o.putArray("attempts");
        for (DeliveryAttempt a : d.attempts()) {
            ObjectNode x = attempts.addObject();
            x.put("attempt", a.attempt());
            x.put("trigger", a.trigger().wireName());
            x.put("at", a.at().toString());
            a.statusCode().ifPresentOrElse(c -> x.put("status_code", c), () -> x.putNull("status_code"));
            a.error().ifPresentOrElse(e -> x.put("error", e), () -> x.putNull("error"));
            x.put("duration_ms", a.durationMillis());
            x.put("succeeded", a.succeeded());
        }
        return o;
    }

    private static void time(ObjectNode o, String field, Optional<Instant> t) {
        t.ifPresentOrElse(v -> o.put(field, v.toString()), () -> o.putNull(field));
    }
}

package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.server.stripe.StripeNotConnectedException;
import dev.tally.server.stripe.StripeProvider;
import dev.tally.server.stripe.StripeSignatureException;
import dev.tally.server.stripe.StripeUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/**
 * The Stripe provider's routes: {@code PUT /v1/providers/stripe} (connect: API key and webhook secret, never
 * answered back), {@code GET /v1/providers/stripe} (configured, the key's last four, the push queue),
 * {@code PUT/GET /v1/providers/stripe/customers/{external_id}} (link a Tally customer to a Stripe customer), and
 * {@code POST /v1/providers/stripe/webhooks/{tenant}}: the one route without an API key, whose Stripe-Signature is
 * its authentication (400 when it does not verify, 404 when the tenant has no Stripe account, 503 when the event
 * cannot be applied yet so that Stripe sends it again).
 */
final class StripeApi {
    private static final int MAX_BODY = 16 * 1024;
    /** Stripe's events are small; a larger body is refused before its signature is even checked. */
    private static final int MAX_WEBHOOK = 512 * 1024;
    private static final Set<String> CONNECT_FIELDS = Set.of("api_key", "webhook_secret");
    private final StripeProvider stripe;
    private final ObjectMapper mapper;

    StripeApi(StripeProvider stripe, ObjectMapper mapper) {
        this.stripe = stripe;
        this.mapper = mapper;
    }

    void connect(Request r) throws IOException {
        JsonNode body = JsonBody.object(r, MAX_BODY);
        body.fieldNames().forEachRemaining(f -> {
            if (!CONNECT_FIELDS.contains(f)) {
                throw HttpError.badRequest(f, "is not a field of a Stripe connection");
            }
        });
        String key = text(body, "api_key");
        String secret = text(body, "webhook_secret");
        Responses.json(r.exchange, 200, status(stripe.connect(r.tenant(), key, secret)), mapper);
    }

    void get(Request r) throws IOException {
        Responses.json(r.exchange, 200, status(stripe.status(r.tenant())), mapper);
    }

    void linkCustomer(Request r) throws IOException {
        JsonNode body = JsonBody.object(r, MAX_BODY);
        body.fieldNames().forEachRemaining(f -> {
            if (!"stripe_customer_id".equals(f)) {
                throw HttpError.badRequest(f, "is not a field of a Stripe customer link");
            }
        });
        stripe.linkCustomer(r.tenant(), r.path("external_id"), text(body, "stripe_customer_id"));
        getCustomer(r);
    }

    void getCustomer(Request r) throws IOException {
        Optional<String> link = stripe.customerLink(r.tenant(), r.path("external_id"));
        ObjectNode o = mapper.createObjectNode();
        o.put("customer", r.path("external_id"));
        link.ifPresentOrElse(l -> o.put("stripe_customer_id", l), () -> o.putNull("stripe_customer_id"));
        Responses.json(r.exchange, 200, o, mapper);
    }

    void webhook(Request r) throws IOException {
        String payload = new String(r.body(MAX_WEBHOOK), StandardCharsets.UTF_8);
        StripeProvider.WebhookResult result;
        try {
            result = stripe.webhook(r.path("tenant"), payload, r.header("Stripe-Signature"));
        } catch (StripeSignatureException e) {
            throw new HttpError(400, "invalid-signature", "Invalid signature", e.getMessage());
        } catch (StripeNotConnectedException e) {
            throw HttpError.notFound(e.getMessage());
        } catch (StripeUnavailableException e) {
            r.exchange.getResponseHeaders().set("Retry-After", "60");
            throw new HttpError(503, "not-yet-applicable", "Not applied yet", e.getMessage());
        }
        ObjectNode o = mapper.createObjectNode();
        o.put("received", true);
        o.put("event", result.eventId());
        o.put("type", result.type());
        o.put("duplicate", result.duplicate());
        o.put("outcome", result.outcome());
        Responses.json(r.exchange, 200, o, mapper);
    }

    private ObjectNode status(StripeProvider.Status s) {
        ObjectNode o = mapper.createObjectNode();
        o.put("provider", StripeProvider.NAME);
        o.put("configured", s.configured());
        s.apiKeyLast4().ifPresentOrElse(v -> o.put("api_key_last4", v), () -> o.putNull("api_key_last4"));
        s.connectedAt().ifPresentOrElse(v -> o.put("connected_at", v.toString()), () -> o.putNull("connected_at"));
        s.updatedAt().ifPresentOrElse(v -> o.put("updated_at", v.toString()), () -> o.putNull("updated_at"));
        ObjectNode q = o.putObject("invoices");
        s.invoices().forEach(q::put);
        return o;
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw HttpError.badRequest(field, "is required");
        }
        if (!v.isTextual()) {
            throw HttpError.badRequest(field, "must be a string");
        }
        return v.asText();
    }
}

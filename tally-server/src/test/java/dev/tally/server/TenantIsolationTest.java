package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tenant isolation, checked mechanically: every route the server exposes is called with tenant A's resource
 * ids using tenant B's admin key (it must answer 404 or 403, or, for listings and questions about B's own
 * space, show none of A's data), and with a key of A that lacks the route's scope (403). A new route is
 * covered the moment it is added: the route list comes from the server itself.
 */
class TenantIsolationTest {
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    TestServer t;
    final Map<String, String> ids = new java.util.HashMap<>();
    String otherTenantKey;
    String ingestOnly;
    String readOnly;

    @BeforeEach
    void tenantAWithOneOfEverything() throws Exception {
        t = new TestServer(new MutableClock(Instant.parse("2026-11-01T00:00:00Z")));
        t.post("/v1/meters", "{\"key\":\"secret_meter\",\"event_type\":\"call\",\"aggregation\":\"count\"}");
        t.post("/v1/customers", "{\"external_id\":\"secret_customer\",\"timezone\":\"UTC\",\"currency\":\"USD\"}");
        t.post("/v1/plans", "{\"key\":\"secret_plan\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"10\",\"timing\":\"in_advance\"},"
                + "{\"key\":\"calls\",\"type\":\"usage\",\"name\":\"Calls\",\"meter\":\"secret_meter\",\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"}}]}");
        String sub = t.post("/v1/subscriptions", "{\"customer\":\"secret_customer\",\"plan\":\"secret_plan\"}").json().get("id").asText();
        assertThat(t.post("/v1/event-types/call/schemas", "{\"schema\":{\"title\":\"secret_schema\"}}").status())
                .isEqualTo(201);
        t.events("application/json", "{\"specversion\":\"1.0\",\"id\":\"secret_event\",\"source\":\"secret_source\","
                + "\"type\":\"call\",\"subject\":\"secret_customer\"}");
        t.post("/v1/billing/runs", "");
        JsonNode inv = t.get("/v1/invoices").json().get("invoices").get(0);
        t.post("/v1/invoices/" + inv.get("id").asText() + "/finalize", "");
        String key = t.post("/v1/api-keys", "{\"name\":\"secret_key\",\"scopes\":[\"read\"]}").json().get("id").asText();
        var hook = t.post("/v1/webhook-endpoints", "{\"url\":\"http://127.0.0.1:9/secret_hook\"}");
        ids.put("endpoint", hook.status() == 201 ? hook.json().get("id").asText() : "none");
        var alert = t.post("/v1/alerts", "{\"customer\":\"secret_customer\",\"metric\":\"usage\",\"meter\":\"secret_meter\","
                + "\"thresholds\":[\"5\"]}");
        ids.put("alert", alert.status() == 201 ? alert.json().get("id").asText() : "none");
        var grant = t.post("/v1/customers/secret_customer/grants", "{\"amount\":\"5.00\",\"reason\":\"secret_grant\"}");
        assertThat(grant.status()).as(grant.body()).isEqualTo(201);
        ids.put("grant", grant.json().get("id").asText());
        var commitment = t.post("/v1/subscriptions/" + sub + "/commitments",
                "{\"type\":\"minimum\",\"amount\":\"5.00\",\"name\":\"secret_commitment\"}");
        assertThat(commitment.status()).as(commitment.body()).isEqualTo(201);
        ids.put("commitment", commitment.json().get("id").asText());
        var override = t.post("/v1/subscriptions/" + sub + "/overrides", "{\"charge\":\"calls\",\"discount_percent\":\"5\"}");
        assertThat(override.status()).as(override.body()).isEqualTo(201);
        ids.put("override", override.json().get("id").asText());
        assertThat(hook.status()).as(hook.body()).isEqualTo(201);
        assertThat(alert.status()).as(alert.body()).isEqualTo(201);
        ids.put("key", "secret_meter");
        ids.put("external_id", "secret_customer");
        ids.put("id", "SUBJECT_DEPENDS");
        ids.put("subscription", sub);
        ids.put("invoice", inv.get("id").asText());
        ids.put("line_id", inv.get("lines").get(0).get("id").asText());
        ids.put("api_key", key);
        ids.put("source", "secret_source");
        ids.put("event", "secret_event");
        otherTenantKey = t.post("/v1/tenants", "{\"id\":\"other\"}").json().get("admin_key").get("key").asText();
        ingestOnly = t.post("/v1/api-keys", "{\"name\":\"i\",\"scopes\":[\"ingest\"]}").json().get("key").asText();
        readOnly = t.post("/v1/api-keys", "{\"name\":\"r\",\"scopes\":[\"read\"]}").json().get("key").asText();
    }

    @AfterEach
    void stop() {
        t.close();
    }

    /** A route's path with tenant A's ids in it. */
    String path(String template) {
        String p = template.replace("{key}", ids.get("key")).replace("{meterIdOrSlug}", ids.get("key")).replace("{external_id}", ids.get("external_id"))
                .replace("{line_id}", ids.get("line_id")).replace("{source}", ids.get("source")).replace("{tenant}", "default")
                .replace("{type}", "call").replace("{version}", "1");
        if (p.startsWith("/v1/subscriptions/")) {
            p = p.replace("{id}", ids.get("subscription"));
        } else if (p.startsWith("/v1/invoices/")) {
            p = p.replace("{id}", ids.get("invoice"));
        } else if (p.startsWith("/v1/api-keys/")) {
            p = p.replace("{id}", ids.get("api_key"));
        } else if (p.startsWith("/v1/events/")) {
            p = p.replace("{id}", ids.get("event"));
        } else if (p.startsWith("/v1/webhook-endpoints/")) {
            p = p.replace("{id}", ids.get("endpoint"));
        } else if (p.startsWith("/v1/alerts/")) {
            p = p.replace("{id}", ids.get("alert"));
        } else if (p.startsWith("/v1/portal/invoices/")) {
            p = p.replace("{id}", ids.get("invoice"));
        }
        p = p.replace("{currency}", "USD").replace("{grant_id}", ids.get("grant"))
                .replace("{commitment_id}", ids.get("commitment"))
                .replace("{override_id}", ids.get("override")).replace("{redemption_id}", "red_none");
        return p.replace("{feature}", "secret_feature").replace("{id}", "anything");
    }

    /** A body that names tenant A's resources where a body is read. */
    String body(String method, String template) {
        if (!method.equals("POST") && !method.equals("PUT")) {
            return null;
        }
        return switch (template) {
            case "/v1/credit-notes" -> "{\"invoice\":\"" + ids.get("invoice") + "\"}";
            case "/v1/subscriptions" -> "{\"customer\":\"secret_customer\",\"plan\":\"secret_plan\"}";
            case "/v1/subscriptions/{id}/change" -> "{\"plan\":\"secret_plan\"}";
            case "/v1/prices/preview" -> "{\"currency\":\"USD\",\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"},\"quantity\":\"1\"}";
            default -> "{}";
        };
    }

    @Test
    void anotherTenantsKeyReachesNothingOfThisTenant() {
        List<String> leaks = new ArrayList<>();
        for (String route : t.server.routes()) {
            String method = route.substring(0, route.indexOf(' '));
            String template = route.substring(route.indexOf(' ') + 1);
            if (!template.startsWith("/v1/") && !template.startsWith("/api/v1/") || template.startsWith("/v1/tenants")) {
                continue;
            }
            var r = t.send(method, path(template), body(method, template) == null ? null : "application/json",
                    body(method, template), otherTenantKey);
            boolean refused = r.status() == 404 || r.status() == 403 || r.status() == 400 || r.status() == 409;
            // a refusal may echo the id the caller sent; an answer with data must hold none of this tenant's
            boolean leaked = r.status() / 100 == 2 && r.body() != null && (r.body().contains("secret_customer") || r.body().contains("secret_event")
                    || r.body().contains(ids.get("invoice")) || r.body().contains(ids.get("subscription"))
                    || r.body().contains("secret_plan") || r.body().contains("secret_key") || r.body().contains("secret_meter\"")
                    || r.body().contains("secret_hook") || r.body().contains(ids.get("alert"))
                    || r.body().contains(ids.get("grant")) || r.body().contains("secret_grant")
                    || r.body().contains(ids.get("override")) || r.body().contains("secret_schema"));
            boolean ownSpace = r.status() / 100 == 2;
            if (leaked || !(refused || ownSpace)) {
                leaks.add(route + " -> " + r.status() + " " + r.body());
            }
        }
        assertThat(leaks).as("routes that let another tenant see or touch this tenant's data").isEmpty();
        // and this tenant's data is all still there
        assertThat(t.get("/v1/customers/secret_customer").status()).isEqualTo(200);
        assertThat(t.get("/v1/event-types/call/schemas").json().get("versions")).hasSize(1);
        assertThat(t.get("/v1/meters/secret_meter/usage?customer=secret_customer").json().get("rows").get(0)
                .get("value").asText()).isEqualTo("1");
    }

    @Test
    void aKeyWithoutTheRoutesScopeIsRefusedOnEveryRoute() {
        List<String> wrong = new ArrayList<>();
        for (String route : t.server.routes()) {
            String method = route.substring(0, route.indexOf(' '));
            String template = route.substring(route.indexOf(' ') + 1);
            if (!template.startsWith("/v1/") && !template.startsWith("/api/v1/") || template.startsWith("/v1/portal/")
                    || template.startsWith("/v1/providers/stripe/webhooks/")) {
                continue; // the Stripe webhook takes no key at all: its signature is checked (StripeWebhooksTest)
            }
            boolean ingestRoute = (template.equals("/v1/events") || template.equals("/api/v1/events")) && method.equals("POST")
                    || template.equals("/v1/events/{source}/{id}/cancel");
            boolean readRoute = method.equals("GET") && !template.startsWith("/v1/api-keys")
                    && !template.startsWith("/v1/tenants") || template.equals("/v1/prices/preview");
            String key = ingestRoute || readRoute ? (ingestRoute ? readOnly : ingestOnly) : readOnly;
            var r = t.send(method, path(template), body(method, template) == null ? null : "application/json",
                    body(method, template), key);
            if (r.status() != 403) {
                wrong.add(route + " with a key lacking its scope -> " + r.status());
            }
        }
        assertThat(wrong).isEmpty();
    }
}

package dev.tally.server.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audit trail, checked mechanically: the route table's mutating routes (POST, PUT, PATCH, DELETE) are each
 * either audited or on the documented exclusion list (a new route that is neither fails here); then a scenario calls
 * every audited route once, successfully, and each call must add exactly one record with the route's resource, the
 * right id, the calling key as actor (id and name) and the request's X-Request-Id; and no secret the scenario saw
 * (API keys, webhook secrets, the Stripe key and webhook secret, portal tokens) appears in any record. It lives with
 * the Stripe tests because the Stripe routes need their stub.
 */
class EveryMutatingRouteIsAuditedTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");
    StripeFixture f;
    String adminKey;
    String adminKeyId;
    final Set<String> exercised = new LinkedHashSet<>();
    final Set<String> secrets = new LinkedHashSet<>();
    final List<String> wrong = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        f = new StripeFixture();
        JsonNode key = f.ok("POST", "/v1/api-keys", "{\"name\":\"auditor\",\"scopes\":[\"admin\"]}");
        adminKey = key.get("key").asText();
        adminKeyId = key.get("id").asText();
        secrets.add(adminKey);
        secrets.add(StripeFixture.KEY);
        secrets.add(StripeFixture.API_KEY);
        secrets.add(StripeFixture.WEBHOOK_SECRET);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    int count() {
        return all().size();
    }

    List<JsonNode> all() {
        List<JsonNode> out = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = f.ok("GET", "/v1/audit?limit=500" + (cursor == null ? "" : "&cursor=" + cursor), null);
            page.get("records").forEach(out::add);
            cursor = page.hasNonNull("next_cursor") ? page.get("next_cursor").asText() : null;
        } while (cursor != null);
        return out;
    }

    /** Calls a route with the auditor key; checks the one record it must add; returns the answer. */
    JsonNode call(String route, String path, String body, String expectedId) {
        return call(route, path, body, expectedId, adminKey, "key", adminKeyId);
    }

    JsonNode call(String route, String path, String body, String expectedId, String key, String actorType,
            String actorId) {
        String method = route.substring(0, route.indexOf(' '));
        int before = count();
        String requestId = "req-audit-" + exercised.size();
        Map<String, String> headers = new java.util.HashMap<>(Map.of("X-Request-Id", requestId));
        if (key != null) {
            headers.put("Authorization", "Bearer " + key);
        }
        if (body != null) {
            headers.put("Content-Type", "application/json");
        }
        StripeFixture.Reply r = f.send(method, path, body, headers);
        assertThat(r.status()).as("%s %s: %s", method, path, r.body()).isBetween(200, 204);
        exercised.add(route);
        if (r.json() != null) {
            collectSecrets(r.json());
        }
        List<JsonNode> records = all();
        if (records.size() != before + 1) {
            wrong.add(route + " wrote " + (records.size() - before) + " records");
            return r.json();
        }
        JsonNode rec = records.get(records.size() - 1);
        String expectedResource = f.server.auditedRoutes().get(route);
        String id = expectedId == null ? r.json().get("id").asText()
                : expectedId.startsWith("$") ? r.json().get(expectedId.substring(1)).asText() : expectedId;
        if (!rec.get("resource").asText().equals(expectedResource) || !rec.get("resource_id").asText().equals(id)
                || !rec.get("action").asText().equals(route) || !rec.get("request_id").asText().equals(requestId)
                || !rec.at("/actor/type").asText().equals(actorType)
                || actorId != null && !rec.at("/actor/id").asText().equals(actorId)
                || key == adminKey && !rec.at("/actor/name").asText().equals("auditor")) {
            wrong.add(route + " wrote " + rec);
        }
        return r.json();
    }

    void collectSecrets(JsonNode n) {
        if (n.isObject()) {
            n.fields().forEachRemaining(e -> {
                String k = e.getKey().toLowerCase(java.util.Locale.ROOT);
                if ((k.equals("key") || k.contains("secret") || k.contains("token")) && e.getValue().isTextual()
                        && e.getValue().asText().length() >= 16) {
                    secrets.add(e.getValue().asText());
                }
                collectSecrets(e.getValue());
            });
        } else if (n.isArray()) {
            n.forEach(this::collectSecrets);
        }
    }

    @Test
    void everyMutatingRouteIsAuditedOrExcludedForAReason() {
        Set<String> mutating = new TreeSet<>();
        for (String route : f.server.routes()) {
            String method = route.substring(0, route.indexOf(' '));
            if (Set.of("POST", "PUT", "PATCH", "DELETE").contains(method)) {
                mutating.add(route);
            }
        }
        Set<String> declared = new TreeSet<>(f.server.auditedRoutes().keySet());
        declared.addAll(f.server.unauditedRoutes().keySet());
        assertThat(mutating).as("mutating routes neither audited nor excluded (add them to AuditedRoutes)")
                .isSubsetOf(declared);
        assertThat(declared).as("audit declarations of routes that do not exist").isSubsetOf(mutating);
        assertThat(f.server.unauditedRoutes().values()).allSatisfy(reason -> assertThat(reason).hasSizeGreaterThan(20));
    }

    @Test
    void eachSuccessfulMutatingRequestWritesExactlyOneRecordAndNoSecretEver() throws Exception {
        String sub;
        String invoice;
        // configuration
        call("POST /v1/meters", "/v1/meters", "{\"key\":\"calls\",\"event_type\":\"call\",\"aggregation\":\"count\"}",
                "calls");
        call("PUT /v1/meters/{key}", "/v1/meters/calls", "{\"key\":\"calls\",\"event_type\":\"call\","
                + "\"aggregation\":\"count\",\"name\":\"API calls\"}", "calls");
        call("POST /v1/event-types/{type}/schemas", "/v1/event-types/call/schemas",
                "{\"schema\":{\"type\":\"object\"}}", "call");
        call("DELETE /v1/event-types/{type}/schemas", "/v1/event-types/call/schemas", null, "call");
        call("POST /api/v1/meters", "/api/v1/meters", "{\"slug\":\"prompts\",\"aggregation\":\"SUM\","
                + "\"eventType\":\"prompt\",\"valueProperty\":\"$.tokens\"}", "prompts");
        call("POST /v1/customers", "/v1/customers", "{\"external_id\":\"acme\",\"name\":\"Acme\",\"timezone\":\"UTC\","
                + "\"currency\":\"USD\"}", "acme");
        call("PATCH /v1/customers/{external_id}", "/v1/customers/acme", "{\"name\":\"Acme Inc\"}", "acme");
        call("POST /v1/plans", "/v1/plans", "{\"key\":\"team\",\"currency\":\"USD\",\"interval\":\"monthly\","
                + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"10\","
                + "\"timing\":\"in_advance\"},{\"key\":\"calls\",\"type\":\"usage\",\"name\":\"Calls\",\"meter\":\"calls\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"}},{\"key\":\"seats\",\"type\":\"licensed\","
                + "\"name\":\"Seats\",\"price\":{\"model\":\"unit\",\"unit_price\":\"10\"},\"increase\":\"immediate\","
                + "\"decrease\":\"credit\"}]}", "team");
        call("PUT /v1/billing/settings", "/v1/billing/settings", "{\"grace_period_seconds\":86400}", "default");
        call("PUT /v1/dunning-policy", "/v1/dunning-policy", "{\"retry_days\":[1,3],\"uncollectible_after_days\":14}",
                "default");
        call("PATCH /v1/tenant", "/v1/tenant", "{\"invoice_number_prefix\":\"AUD-\"}", "default");
        sub = call("POST /v1/subscriptions", "/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"team\",\"start\":\""
                + NOV_1 + "\"}", null).get("id").asText();
        String s = "/v1/subscriptions/" + sub;
        call("POST /v1/subscriptions/{id}/commitments", s + "/commitments",
                "{\"type\":\"minimum\",\"amount\":\"5.00\",\"name\":\"floor\"}", null);
        call("POST /v1/subscriptions/{id}/quantities", s + "/quantities", "{\"charge\":\"seats\",\"quantity\":\"5\"}",
                sub);
        String ovr = call("POST /v1/subscriptions/{id}/overrides", s + "/overrides",
                "{\"charge\":\"calls\",\"discount_percent\":\"5\"}", null).get("id").asText();
        call("POST /v1/subscriptions/{id}/overrides/{override_id}/versions", s + "/overrides/" + ovr + "/versions",
                "{\"effective_from\":\"2026-11-15T00:00:00Z\",\"price\":{\"model\":\"unit\",\"unit_price\":\"0.005\"}}",
                ovr);
        call("POST /v1/subscriptions/{id}/overrides/{override_id}/end", s + "/overrides/" + ovr + "/end",
                "{\"at\":\"2026-12-10T00:00:00Z\"}", ovr);
        call("POST /v1/coupons", "/v1/coupons", "{\"key\":\"launch\",\"name\":\"Launch\",\"percent_off\":\"10\","
                + "\"duration\":\"repeating\",\"duration_periods\":2}", "launch");
        String red = call("POST /v1/subscriptions/{id}/discounts", s + "/discounts", "{\"coupon\":\"launch\"}", null)
                .get("id").asText();
        call("POST /v1/subscriptions/{id}/discounts/{redemption_id}/end", s + "/discounts/" + red + "/end", "{}", red);
        call("POST /v1/coupons/{key}/archive", "/v1/coupons/launch/archive", null, "launch");
        // money
        JsonNode run = call("POST /v1/billing/runs", "/v1/billing/runs", null, "$at");
        assertThat(run).isNotNull();
        invoice = f.ok("GET", "/v1/invoices?customer=acme", null).get("invoices").get(0).get("id").asText();
        call("POST /v1/invoices/{id}/finalize", "/v1/invoices/" + invoice + "/finalize", null, invoice);
        call("POST /v1/credit-notes", "/v1/credit-notes", "{\"invoice\":\"" + invoice + "\",\"lines\":[{\"line_id\":\""
                + f.ok("GET", "/v1/invoices/" + invoice, null).at("/lines/0/id").asText() + "\",\"amount\":\"1.00\"}],"
                + "\"reason\":\"goodwill\"}", null);
        call("POST /v1/invoices/{id}/payments", "/v1/invoices/" + invoice + "/payments",
                "{\"outcome\":\"failed\",\"amount\":\"1.00\",\"reference\":\"try-1\"}", invoice);
        call("POST /v1/invoices/{id}/payments/retry", "/v1/invoices/" + invoice + "/payments/retry", null, invoice);
        call("POST /v1/invoices/{id}/mark-paid", "/v1/invoices/" + invoice + "/mark-paid", null, invoice);
        call("POST /v1/customers/{external_id}/grants", "/v1/customers/acme/grants",
                "{\"amount\":\"5.00\",\"reason\":\"promo\"}", null);
        String grant = f.ok("GET", "/v1/customers/acme/grants", null).at("/grants/0/id").asText();
        call("POST /v1/customers/{external_id}/grants/{grant_id}/adjustments", "/v1/customers/acme/grants/" + grant
                + "/adjustments", "{\"amount\":\"-1.00\",\"reason\":\"used\"}", grant);
        call("POST /v1/customers/{external_id}/grants/{grant_id}/void", "/v1/customers/acme/grants/" + grant + "/void",
                "{}", grant);
        call("PUT /v1/customers/{external_id}/wallets/{currency}/auto-top-up", "/v1/customers/acme/wallets/USD/auto-top-up",
                "{\"threshold\":\"20.00\",\"amount\":\"50.00\",\"price\":\"45.00\"}", "acme/USD");
        call("DELETE /v1/customers/{external_id}/wallets/{currency}/auto-top-up",
                "/v1/customers/acme/wallets/USD/auto-top-up", null, "acme/USD");
        // a second customer: a subscription changed and cancelled, an invoice voided, the customer archived
        call("POST /v1/customers", "/v1/customers", "{\"external_id\":\"gone\",\"timezone\":\"UTC\",\"currency\":\"USD\"}",
                "gone");
        call("POST /v1/plans", "/v1/plans", "{\"key\":\"lite\",\"currency\":\"USD\",\"interval\":\"monthly\","
                + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"3\","
                + "\"timing\":\"in_advance\"}]}", "lite");
        String sub2 = call("POST /v1/subscriptions", "/v1/subscriptions", "{\"customer\":\"gone\",\"plan\":\"lite\","
                + "\"start\":\"" + NOV_1 + "\"}", null).get("id").asText();
        call("POST /v1/billing/runs", "/v1/billing/runs", null, "$at");
        String inv2 = f.ok("GET", "/v1/invoices?customer=gone", null).get("invoices").get(0).get("id").asText();
        call("POST /v1/invoices/{id}/finalize", "/v1/invoices/" + inv2 + "/finalize", null, inv2);
        call("POST /v1/invoices/{id}/void", "/v1/invoices/" + inv2 + "/void", null, inv2);
        call("POST /v1/subscriptions/{id}/change", "/v1/subscriptions/" + sub2 + "/change",
                "{\"plan\":\"team\",\"at\":\"2026-12-01T00:00:00Z\"}", sub2);
        call("POST /v1/subscriptions/{id}/cancel", "/v1/subscriptions/" + sub2 + "/cancel", "{\"at\":\"2026-12-15T00:00:00Z\"}", sub2);
        call("POST /v1/customers", "/v1/customers", "{\"external_id\":\"spare\",\"timezone\":\"UTC\","
                + "\"currency\":\"USD\"}", "spare");
        call("DELETE /v1/customers/{external_id}", "/v1/customers/spare", null, "spare");
        // access
        String temp = call("POST /v1/api-keys", "/v1/api-keys", "{\"name\":\"temp\",\"scopes\":[\"read\"]}", null)
                .get("id").asText();
        call("DELETE /v1/api-keys/{id}", "/v1/api-keys/" + temp, null, temp);
        call("POST /v1/tenants", "/v1/tenants", "{\"id\":\"other\"}", "other", StripeFixture.KEY, "key", null);
        JsonNode portal = call("POST /v1/customers/{external_id}/portal-tokens", "/v1/customers/acme/portal-tokens", "{}",
                "acme");
        String token = portal.get("token").asText();
        secrets.add(token);
        String portalAlert = call("POST /v1/portal/alerts", "/v1/portal/alerts", "{\"metric\":\"usage\",\"meter\":\"calls\","
                + "\"thresholds\":[\"5\"]}", null, token, "portal", "acme").get("id").asText();
        call("DELETE /v1/portal/alerts/{id}", "/v1/portal/alerts/" + portalAlert, null, portalAlert, token, "portal",
                "acme");
        call("POST /v1/customers/{external_id}/portal-tokens/revoke", "/v1/customers/acme/portal-tokens/revoke", null,
                "acme");
        String hook = call("POST /v1/webhook-endpoints", "/v1/webhook-endpoints", "{\"url\":\"http://127.0.0.1:9/hook\"}",
                null).get("id").asText();
        call("POST /v1/webhook-endpoints/{id}/rotate-secret", "/v1/webhook-endpoints/" + hook + "/rotate-secret", null,
                hook);
        call("POST /v1/webhook-endpoints/{id}/enable", "/v1/webhook-endpoints/" + hook + "/enable", null, hook);
        call("DELETE /v1/webhook-endpoints/{id}", "/v1/webhook-endpoints/" + hook, null, hook);
        call("PUT /v1/customers/{external_id}/entitlements/{feature}", "/v1/customers/acme/entitlements/calls",
                "{\"limit\":\"5000\",\"mode\":\"soft\",\"meter\":\"calls\"}", "acme/calls");
        call("DELETE /v1/customers/{external_id}/entitlements/{feature}", "/v1/customers/acme/entitlements/calls", null,
                "acme/calls");
        String alert = call("POST /v1/alerts", "/v1/alerts", "{\"customer\":\"acme\",\"metric\":\"usage\","
                + "\"meter\":\"calls\",\"thresholds\":[\"5\"]}", null).get("id").asText();
        call("DELETE /v1/alerts/{id}", "/v1/alerts/" + alert, null, alert);
        String s3Secret = "s3cr3t-value-0123456789abcdef";
        secrets.add(s3Secret);
        call("PUT /v1/exports/schedule", "/v1/exports/schedule", "{\"destination\":{\"type\":\"s3\",\"bucket\":"
                + "\"tally-exports\",\"region\":\"eu-west-1\",\"endpoint\":\"http://127.0.0.1:9\",\"path_style\":true,"
                + "\"access_key_id\":\"AK\",\"secret_access_key\":\"" + s3Secret + "\"},\"datasets\":[\"events\"]}",
                "default");
        call("DELETE /v1/exports/schedule", "/v1/exports/schedule", null, "default");
        call("PUT /v1/balance-requirements/{feature}", "/v1/balance-requirements/api",
                "{\"mode\":\"grace\",\"grace_amount\":\"5.00\"}", "api");
        call("DELETE /v1/balance-requirements/{feature}", "/v1/balance-requirements/api", null, "api");
        // anomalies: two duplicate storms, one acknowledged and one dismissed, and the policy
        call("PUT /v1/anomaly-policy", "/v1/anomaly-policy", "{\"hold\":\"draft_hold\"}", "default");
        for (String source : List.of("storm-a", "storm-b")) {
            StringBuilder batch = new StringBuilder("[");
            for (int i = 0; i < 600; i++) {
                batch.append(i == 0 ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"").append(source)
                        .append(i % 200).append("\",\"source\":\"").append(source)
                        .append("\",\"type\":\"call\",\"subject\":\"acme\"}");
            }
            StripeFixture.Reply sent = f.send("POST", "/v1/events", batch.append("]").toString(), Map.of(
                    "Authorization", "Bearer " + adminKey, "Content-Type", "application/cloudevents-batch+json"));
            assertThat(sent.status()).as(sent.body()).isEqualTo(200);
        }
        f.server.engine().anomalies().evaluate();
        JsonNode storms = f.ok("GET", "/v1/anomalies?kind=duplicate_storm", null).get("anomalies");
        assertThat(storms).hasSize(2);
        String ackId = storms.get(0).get("id").asText();
        String dismissId = storms.get(1).get("id").asText();
        call("POST /v1/anomalies/{id}/acknowledge", "/v1/anomalies/" + ackId + "/acknowledge", null, ackId);
        call("POST /v1/anomalies/{id}/dismiss", "/v1/anomalies/" + dismissId + "/dismiss", null, dismissId);
        // the payment provider
        call("PUT /v1/providers/stripe", "/v1/providers/stripe", "{\"api_key\":\"" + StripeFixture.API_KEY
                + "\",\"webhook_secret\":\"" + StripeFixture.WEBHOOK_SECRET + "\"}", "stripe");
        call("PUT /v1/providers/stripe/customers/{external_id}", "/v1/providers/stripe/customers/acme",
                "{\"stripe_customer_id\":\"cus_Existing42\"}", "acme");
        String event = StripeFixture.event("evt_audit_1", "customer.created", f.clock.instant(), "{\"id\":\"cus_x\"}");
        int before = count();
        StripeFixture.Reply hookReply = f.webhook(event);
        assertThat(hookReply.status()).as(hookReply.body()).isEqualTo(200);
        exercised.add("POST /v1/providers/stripe/webhooks/{tenant}");
        List<JsonNode> records = all();
        assertThat(records).hasSize(before + 1);
        assertThat(records.get(records.size() - 1).at("/actor/type").asText()).isEqualTo("system");
        assertThat(records.get(records.size() - 1).get("resource_id").asText()).isEqualTo("evt_audit_1");

        assertThat(wrong).as("routes whose audit record is missing, doubled or wrong").isEmpty();
        assertThat(exercised).as("every audited route is exercised here").containsAll(f.server.auditedRoutes().keySet());
        String trail = f.mapper.writeValueAsString(records);
        assertThat(secrets).hasSizeGreaterThan(6);
        for (String secret : secrets) {
            assertThat(trail).as("a secret in the audit trail").doesNotContain(secret);
        }
        assertThat(Pattern.compile("tly_[A-Za-z0-9]+_[A-Za-z0-9]{8}|tlyp_[A-Za-z0-9]{8}|whsec_[A-Za-z0-9]{8}"
                + "|sk_test_[A-Za-z0-9]{8}").matcher(trail).find()).as(trail).isFalse();
    }
}

package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.event;
import static dev.tally.server.BillingFixtures.ingest;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.EntitlementFixtures.outbox;
import static dev.tally.server.EntitlementFixtures.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Entitlements over HTTP: boolean and metered features, hard limits (with grace) that turn false as soon as the
 * ingest that reaches them returns, soft limits that report overage, resets in the next period, per-customer
 * overrides, unknown customers and features, and the once-per-period entitlement.exhausted message.
 */
class EntitlementsHttpTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant DEC_1 = Instant.parse("2026-12-01T00:00:00Z");
    static final String PRO = """
            {"key":"pro","currency":"USD","interval":"monthly","charges":[
              {"key":"base","type":"flat","amount":"30.00"},
              {"key":"tokens","type":"usage","meter":"tokens","price":{"model":"unit","unit_price":"0.01"}}],
             "features":[
              {"key":"sso","type":"boolean","enabled":true},
              {"key":"audit-log","type":"boolean","enabled":false},
              {"key":"tokens","type":"metered","meter":"tokens","limit":"1000","mode":"hard"},
              {"key":"tokens-grace","type":"metered","meter":"tokens","limit":"1000","mode":"hard","grace_percent":"10"},
              {"key":"calls","type":"metered","meter":"calls","limit":"5","mode":"soft"}]}""";

    MutableClock clock;
    TestServer t;
    final AtomicInteger ids = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_1);
        t = new TestServer(clock);
        created(t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                + "\"value_path\":\"tokens\",\"group_by\":[\"model\"]}"));
        created(t.post("/v1/meters", "{\"key\":\"calls\",\"event_type\":\"api.call\",\"aggregation\":\"count\"}"));
        created(t.post("/v1/plans", PRO));
        customer("acme", "UTC");
        subscribe("acme", "pro", NOV_1);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    void customer(String id, String zone) {
        created(t.post("/v1/customers", "{\"external_id\":\"" + id + "\",\"timezone\":\"" + zone + "\",\"currency\":\"USD\"}"));
    }

    String subscribe(String customer, String plan, Instant start) {
        return created(t.post("/v1/subscriptions", "{\"customer\":\"" + customer + "\",\"plan\":\"" + plan
                + "\",\"start\":\"" + start + "\"}")).get("id").asText();
    }

    void tokens(String customer, int n) {
        ingest(t, List.of(event("e" + ids.incrementAndGet(), "llm.tokens", customer, clock.instant(),
                "{\"tokens\":" + n + ",\"model\":\"big\"}")));
    }

    void calls(String customer, int n) {
        List<String> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(event("c" + ids.incrementAndGet(), "api.call", customer, clock.instant(), "{}"));
        }
        ingest(t, events);
    }

    JsonNode entitlement(String customer, String feature) {
        return ok(t.get("/v1/customers/" + customer + "/entitlements/" + feature));
    }

    @Test
    void anEnabledBooleanFeatureIsAllowedForTheWholePeriod() {
        JsonNode sso = entitlement("acme", "sso");

        assertThat(sso.get("allowed").asBoolean()).isTrue();
        assertThat(sso.get("type").asText()).isEqualTo("boolean");
        assertThat(sso.get("reason").isNull()).isTrue();
        assertThat(sso.get("limit").isNull()).isTrue();
        assertThat(sso.get("period_start").asText()).isEqualTo("2026-11-01T00:00:00Z");
        assertThat(sso.get("resets_at").asText()).isEqualTo("2026-12-01T00:00:00Z");
        assertThat(sso.get("plan").asText()).isEqualTo("pro");
        JsonNode audit = entitlement("acme", "audit-log");
        assertThat(audit.get("allowed").asBoolean()).isFalse();
        assertThat(audit.get("reason").asText()).isEqualTo("disabled");
    }

    @Test
    void aFeatureThePlanLacksIsNotAllowed() {
        JsonNode nope = entitlement("acme", "white-label");

        assertThat(nope.get("allowed").asBoolean()).isFalse();
        assertThat(nope.get("reason").asText()).isEqualTo("not_in_plan");
        assertThat(nope.get("type").isNull()).isTrue();
        assertThat(nope.get("resets_at").asText()).isEqualTo("2026-12-01T00:00:00Z");
    }

    @Test
    void anUnknownCustomerIs404AndACustomerWithoutAnActiveSubscriptionIsDenied() {
        status(t.get("/v1/customers/ghost/entitlements/sso"), 404);
        customer("idle", "UTC");

        JsonNode idle = entitlement("idle", "sso");

        assertThat(idle.get("allowed").asBoolean()).isFalse();
        assertThat(idle.get("reason").asText()).isEqualTo("no_active_subscription");
        assertThat(idle.get("resets_at").isNull()).isTrue();
        // a subscription starting later grants nothing yet, and everything from its start
        subscribe("idle", "pro", Instant.parse("2026-11-10T00:00:00Z"));
        assertThat(entitlement("idle", "sso").get("allowed").asBoolean()).isFalse();
        moveTo(clock, Instant.parse("2026-11-10T00:00:00Z"));
        assertThat(entitlement("idle", "sso").get("allowed").asBoolean()).isTrue();
    }

    @Test
    void aCancelledSubscriptionEndsTheEntitlements() {
        moveTo(clock, Instant.parse("2026-11-05T00:00:00Z"));
        String sub = ok(t.get("/v1/customers/acme")).get("subscriptions").get(0).get("id").asText();
        ok(t.post("/v1/subscriptions/" + sub + "/cancel", "{}"));

        JsonNode sso = entitlement("acme", "sso");

        assertThat(sso.get("allowed").asBoolean()).isFalse();
        assertThat(sso.get("reason").asText()).isEqualTo("no_active_subscription");
    }

    @Test
    void aHardLimitTurnsFalseAsSoonAsTheIngestThatReachesItReturns() {
        tokens("acme", 999);
        JsonNode before = entitlement("acme", "tokens");
        assertThat(before.get("allowed").asBoolean()).isTrue();
        assertThat(before.get("used").asText()).isEqualTo("999");
        assertThat(before.get("remaining").asText()).isEqualTo("1");
        assertThat(before.get("limit").asText()).isEqualTo("1000");
        assertThat(before.get("mode").asText()).isEqualTo("hard");
        assertThat(before.get("grace_percent").asText()).isEqualTo("0");

        tokens("acme", 1);
        JsonNode after = entitlement("acme", "tokens");

        assertThat(after.get("allowed").asBoolean()).isFalse();
        assertThat(after.get("reason").asText()).isEqualTo("limit_reached");
        assertThat(after.get("used").asText()).isEqualTo("1000");
        assertThat(after.get("remaining").asText()).isEqualTo("0");
    }

    @Test
    void aHardLimitWithGraceAllowsUpToLimitTimesOnePlusGrace() {
        tokens("acme", 1050);

        assertThat(entitlement("acme", "tokens").get("allowed").asBoolean()).isFalse();
        JsonNode grace = entitlement("acme", "tokens-grace");
        assertThat(grace.get("allowed").asBoolean()).isTrue();
        assertThat(grace.get("ceiling").asText()).isEqualTo("1100");
        assertThat(grace.get("grace_percent").asText()).isEqualTo("10");
        assertThat(grace.get("overage").asText()).isEqualTo("50");
        assertThat(grace.get("over_limit").asBoolean()).isTrue();

        tokens("acme", 50);
        assertThat(entitlement("acme", "tokens-grace").get("allowed").asBoolean()).isFalse();
    }

    @Test
    void aSoftLimitStaysAllowedAndReportsTheOverage() {
        calls("acme", 7);

        JsonNode calls = entitlement("acme", "calls");

        assertThat(calls.get("allowed").asBoolean()).isTrue();
        assertThat(calls.get("mode").asText()).isEqualTo("soft");
        assertThat(calls.get("used").asText()).isEqualTo("7");
        assertThat(calls.get("remaining").asText()).isEqualTo("0");
        assertThat(calls.get("overage").asText()).isEqualTo("2");
        assertThat(calls.get("over_limit").asBoolean()).isTrue();
        assertThat(calls.get("grace_percent").isNull()).isTrue();
        assertThat(calls.get("ceiling").isNull()).isTrue();
    }

    @Test
    void limitsResetInTheNextBillingPeriod() {
        tokens("acme", 1200);
        assertThat(entitlement("acme", "tokens").get("allowed").asBoolean()).isFalse();

        moveTo(clock, DEC_1);
        JsonNode december = entitlement("acme", "tokens");

        assertThat(december.get("allowed").asBoolean()).isTrue();
        assertThat(december.get("used").asText()).isEqualTo("0");
        assertThat(december.get("period_start").asText()).isEqualTo("2026-12-01T00:00:00Z");
        assertThat(december.get("resets_at").asText()).isEqualTo("2027-01-01T00:00:00Z");
        tokens("acme", 1000);
        assertThat(entitlement("acme", "tokens").get("allowed").asBoolean()).isFalse();
    }

    @Test
    void periodsFollowTheCustomersTimeZone() {
        customer("la", "America/Los_Angeles");
        subscribe("la", "pro", Instant.parse("2026-11-01T07:00:00Z"));
        moveTo(clock, Instant.parse("2026-11-30T12:00:00Z"));
        tokens("la", 1000);
        assertThat(entitlement("la", "tokens").get("allowed").asBoolean()).isFalse();

        // Dec 1 00:00 UTC is still November in Los Angeles
        moveTo(clock, DEC_1);
        assertThat(entitlement("la", "tokens").get("allowed").asBoolean()).isFalse();
        moveTo(clock, Instant.parse("2026-12-01T08:00:00Z"));
        JsonNode december = entitlement("la", "tokens");
        assertThat(december.get("allowed").asBoolean()).isTrue();
        assertThat(december.get("period_start").asText()).isEqualTo("2026-12-01T08:00:00Z");
    }

    @Test
    void anOverrideChangesOneCustomersFeatureAndDeletingItRestoresThePlan() {
        customer("globex", "UTC");
        subscribe("globex", "pro", NOV_1);
        tokens("acme", 2000);
        tokens("globex", 2000);

        JsonNode raised = ok(t.put("/v1/customers/acme/entitlements/tokens", "{\"limit\":\"5000\",\"mode\":\"soft\"}"));

        assertThat(raised.get("allowed").asBoolean()).isTrue();
        assertThat(raised.get("limit").asText()).isEqualTo("5000");
        assertThat(raised.get("mode").asText()).isEqualTo("soft");
        assertThat(raised.get("remaining").asText()).isEqualTo("3000");
        assertThat(raised.get("override").toString()).isEqualTo("{\"limit\":\"5000\",\"mode\":\"soft\"}");
        assertThat(entitlement("acme", "tokens").get("allowed").asBoolean()).isTrue();
        assertThat(entitlement("globex", "tokens").get("allowed").asBoolean()).as("other customers keep the plan").isFalse();

        ok(t.put("/v1/customers/acme/entitlements/sso", "{\"enabled\":false}"));
        JsonNode sso = entitlement("acme", "sso");
        assertThat(sso.get("allowed").asBoolean()).isFalse();
        assertThat(sso.get("reason").asText()).isEqualTo("disabled");

        assertThat(status(t.send("DELETE", "/v1/customers/acme/entitlements/tokens", null, null, TestServer.KEY), 204)).isNull();
        assertThat(entitlement("acme", "tokens").get("allowed").asBoolean()).isFalse();
        assertThat(entitlement("acme", "tokens").get("override").isNull()).isTrue();
        status(t.send("DELETE", "/v1/customers/acme/entitlements/tokens", null, null, TestServer.KEY), 404);
    }

    @Test
    void anOverrideCanGrantAFeatureThePlanLacks() {
        ok(t.put("/v1/customers/acme/entitlements/beta", "{\"enabled\":true}"));
        ok(t.put("/v1/customers/acme/entitlements/seats", "{\"meter\":\"calls\",\"limit\":\"2\"}"));
        calls("acme", 2);

        assertThat(entitlement("acme", "beta").get("allowed").asBoolean()).isTrue();
        JsonNode seats = entitlement("acme", "seats");
        assertThat(seats.get("type").asText()).isEqualTo("metered");
        assertThat(seats.get("allowed").asBoolean()).isFalse();
        JsonNode all = ok(t.get("/v1/customers/acme/entitlements"));
        List<String> keys = new ArrayList<>();
        all.get("entitlements").forEach(e -> keys.add(e.get("feature").asText() + "=" + e.get("allowed").asBoolean()));
        assertThat(keys).containsExactly("audit-log=false", "beta=true", "calls=true", "seats=false", "sso=true",
                "tokens=true", "tokens-grace=true");
    }

    @Test
    void anOverrideThatCannotApplyIsRefused() {
        JsonNode limitOnBoolean = status(t.put("/v1/customers/acme/entitlements/sso", "{\"limit\":\"5\"}"), 400);
        assertThat(limitOnBoolean.get("errors").get(0).get("field").asText()).isEqualTo("meter");
        status(t.put("/v1/customers/acme/entitlements/calls", "{\"grace_percent\":\"10\"}"), 400);
        status(t.put("/v1/customers/acme/entitlements/tokens", "{\"limit\":\"-1\"}"), 400);
        status(t.put("/v1/customers/acme/entitlements/tokens", "{\"limmit\":\"1\"}"), 400);
        status(t.put("/v1/customers/acme/entitlements/tokens", "{}"), 400);
        status(t.put("/v1/customers/acme/entitlements/x", "{\"meter\":\"nope\",\"limit\":\"1\"}"), 400);
        status(t.put("/v1/customers/acme/entitlements/Bad%20Key", "{\"enabled\":true}"), 400);
        status(t.put("/v1/customers/ghost/entitlements/sso", "{\"enabled\":true}"), 404);
    }

    @Test
    void aPlanChangeMovesTheCustomerToTheNewPlansFeatures() {
        created(t.post("/v1/plans", """
                {"key":"basic","currency":"USD","interval":"monthly","charges":[{"key":"base","type":"flat","amount":"5"}],
                 "features":[{"key":"tokens","type":"metered","meter":"tokens","limit":"100"}]}"""));
        tokens("acme", 500);
        String sub = ok(t.get("/v1/customers/acme")).get("subscriptions").get(0).get("id").asText();
        moveTo(clock, Instant.parse("2026-11-15T00:00:00Z"));
        ok(t.post("/v1/subscriptions/" + sub + "/change", "{\"plan\":\"basic\"}"));

        JsonNode tokens = entitlement("acme", "tokens");

        assertThat(tokens.get("plan").asText()).isEqualTo("basic");
        assertThat(tokens.get("limit").asText()).isEqualTo("100");
        assertThat(tokens.get("allowed").asBoolean()).as("usage counts for the whole period").isFalse();
        assertThat(entitlement("acme", "sso").get("reason").asText()).isEqualTo("not_in_plan");
    }

    @Test
    void aPlansFeaturesAreValidatedAgainstItsMeters() {
        JsonNode bad = status(t.post("/v1/plans", """
                {"key":"bad","currency":"USD","interval":"monthly","charges":[{"key":"base","type":"flat","amount":"5"}],
                 "features":[{"key":"x","type":"metered","meter":"nope","limit":"1"}]}"""), 400);

        assertThat(bad.get("errors").get(0).get("field").asText()).isEqualTo("features[0].meter");
        assertThat(ok(t.get("/v1/plans/pro")).get("features")).hasSize(5);
    }

    @Test
    void exhaustingAHardLimitRecordsEntitlementExhaustedOncePerCustomerFeatureAndPeriod() {
        tokens("acme", 600);
        t.server.engine().evaluateAlerts();
        assertThat(outbox(t, "entitlement.exhausted")).isEmpty();

        tokens("acme", 500);
        t.server.engine().evaluateAlerts();
        tokens("acme", 500);
        t.server.engine().evaluateAlerts();
        t.server.engine().evaluateAlerts();

        List<JsonNode> messages = outbox(t, "entitlement.exhausted");
        // both are used up at 1,100: "tokens" (limit 1,000) and "tokens-grace" (ceiling 1,000 x 1.1 = 1,100)
        assertThat(messages).extracting(m -> m.get("feature").asText() + " " + m.get("used").asText())
                .containsExactlyInAnyOrder("tokens 1100", "tokens-grace 1100");
        JsonNode m = messages.stream().filter(x -> x.get("feature").asText().equals("tokens")).findFirst().orElseThrow();
        assertThat(m.get("customer").asText()).isEqualTo("acme");
        assertThat(m.get("limit").asText()).isEqualTo("1000");
        assertThat(m.get("period").get("start").asText()).isEqualTo("2026-11-01T00:00:00Z");

        moveTo(clock, DEC_1);
        tokens("acme", 1000);
        t.server.engine().evaluateAlerts();
        assertThat(outbox(t, "entitlement.exhausted")).extracting(x -> x.get("period").get("start").asText())
                .containsOnly("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z").hasSize(3);
    }
}

package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile values in otherwise well-formed requests: decimals with huge exponents, instants at the edges of what
 * java.time can hold, lone surrogates in identities, trailing data, concatenated documents and duplicate keys.
 * Each is a 400 problem+json naming the field (or the body), never a 500 or a hung connection, and nothing is stored.
 */
class HostileValuesHttpTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");
    static final List<String> HUGE = List.of("\"1e2147483647\"", "1e2147483647", "\"-1e-2147483647\"",
            "-1e-2147483647", "\"1E+999999999\"", "1e40", "\"0.0000000000000000000000000000001\"");
    static final String PLAN = """
            {"key":"pro","currency":"USD","interval":"monthly","charges":[
              {"key":"base","type":"flat","amount":"30.00"},
              {"key":"tokens","type":"usage","meter":"tokens","included_quantity":"1000",
               "price":{"model":"unit","unit_price":"0.01"}}]}""";

    MutableClock clock;
    TestServer t;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_1);
        t = new TestServer(clock);
        created(t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                + "\"value_path\":\"tokens\"}"));
        created(t.post("/v1/plans", PLAN));
        created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"currency\":\"USD\"}"));
    }

    @AfterEach
    void stop() {
        t.close();
    }

    static JsonNode refused(TestServer.Reply r, String type) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
        assertThat(r.json().get("type").asText()).as(r.body()).endsWith("/" + type);
        return r.json();
    }

    static void refusedAt(TestServer.Reply r, String field) {
        JsonNode p = refused(r, "validation");
        assertThat(p.get("errors").findValuesAsText("field")).as(r.body()).contains(field);
        assertThat(r.body()).doesNotContain("BigInteger", "Exception", "overflow");
    }

    @Test
    void refusesExponentBeyondTheDecimalRange() {
        for (String v : HUGE) {
            refusedAt(t.post("/v1/prices/preview", "{\"currency\":\"USD\",\"price\":{\"model\":\"package\","
                    + "\"package_size\":\"100\",\"package_price\":\"5\"},\"quantity\":" + v + "}"), "quantity");
            refusedAt(t.post("/v1/prices/preview", "{\"currency\":\"USD\",\"price\":{\"model\":\"unit\","
                    + "\"unit_price\":" + v + "},\"quantity\":\"1\"}"), "price.unit_price");
            refusedAt(t.post("/v1/prices/preview", "{\"currency\":\"USD\",\"price\":{\"model\":\"percentage\","
                    + "\"rate\":\"1\"},\"events\":[{\"value\":" + v + "}]}"), "events[0].value");
            refusedAt(t.post("/v1/plans", PLAN.replace("\"key\":\"pro\"", "\"key\":\"p2\"")
                    .replace("\"30.00\"", v)), "charges[0].amount");
            refusedAt(t.post("/v1/plans", PLAN.replace("\"key\":\"pro\"", "\"key\":\"p2\"")
                    .replace("\"0.01\"", v)), "charges[1].price.unit_price");
            refusedAt(t.post("/v1/plans", PLAN.replace("\"key\":\"pro\"", "\"key\":\"p2\"")
                    .replace("\"1000\"", v)), "charges[1].included_quantity");
            refusedAt(t.post("/v1/plans", PLAN.replace("\"key\":\"pro\"", "\"key\":\"p2\"")
                    .replace("\"interval\"", "\"tax_rates\":[{\"name\":\"VAT\",\"percent\":" + v + "}],\"interval\"")),
                    "tax_rates[0].percent");
            refusedAt(t.post("/v1/customers", "{\"external_id\":\"c2\",\"currency\":\"USD\","
                    + "\"tax_rates\":[{\"name\":\"VAT\",\"percent\":" + v + "}]}"), "tax_rates[0].percent");
            refusedAt(t.post("/v1/alerts", "{\"customer\":\"acme\",\"metric\":\"usage\",\"meter\":\"tokens\","
                    + "\"thresholds\":[" + v + "]}"), "thresholds[0]");
            refusedAt(t.post("/v1/alerts", "{\"customer\":\"acme\",\"metric\":\"spend\",\"of\":\"budget\","
                    + "\"percent_thresholds\":[\"50\"],\"budget\":" + v + "}"), "budget");
            refusedAt(t.put("/v1/customers/acme/entitlements/tokens", "{\"meter\":\"tokens\",\"limit\":" + v + "}"),
                    "limit");
        }
        String token = created(t.post("/v1/customers/acme/portal-tokens", "{}")).get("token").asText();
        for (String v : HUGE) {
            refusedAt(t.send("POST", "/v1/portal/alerts", "application/json", "{\"metric\":\"usage\","
                    + "\"meter\":\"tokens\",\"thresholds\":[" + v + "]}", token), "thresholds[0]");
        }
        // a number anywhere in a body is bounded before any handler can call asInt() on it
        refusedAt(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"trial_days\":1e2147483647}"),
                "trial_days");
        assertThat(ok(t.get("/v1/plans")).get("plans")).hasSize(1);
        assertThat(ok(t.get("/v1/alerts")).get("alerts")).isEmpty();
    }

    @Test
    void acceptsDecimalsAtTheEdgeOfTheRange() {
        String thirty = "1".repeat(30);
        JsonNode p = ok(t.post("/v1/prices/preview", "{\"currency\":\"USD\",\"price\":{\"model\":\"unit\","
                + "\"unit_price\":\"0." + "0".repeat(29) + "1\"},\"quantity\":\"" + thirty + "\"}"));
        assertThat(p.get("amount").asText()).isEqualTo("0.11");
        // trailing zeros after the point do not count against the range
        ok(t.post("/v1/prices/preview", "{\"currency\":\"USD\",\"price\":{\"model\":\"unit\","
                + "\"unit_price\":\"2." + "0".repeat(40) + "\"},\"quantity\":\"1e3\"}"));
        refusedAt(t.post("/v1/prices/preview", "{\"currency\":\"USD\",\"price\":{\"model\":\"unit\","
                + "\"unit_price\":\"1\"},\"quantity\":\"1" + thirty + "\"}"), "quantity");
    }

    @Test
    void refusesSubscriptionStartBeyondYear9999() {
        for (String start : List.of("+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "10000-01-01T00:00:00Z",
                "9999-12-31T23:59:59-01:00", "1969-12-31T23:59:59Z", "0000-01-01T00:00:00Z")) {
            JsonNode p = refused(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"start\":\""
                    + start + "\"}"), "validation");
            assertThat(p.get("errors").get(0).get("field").asText()).isEqualTo("start");
        }
        assertThat(ok(t.get("/v1/subscriptions")).get("subscriptions")).isEmpty();
        // the last second of year 9999 is inside the range
        created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"start\":\"9999-12-31T23:59:59Z\"}"));
    }

    @Test
    void refusesInstantsOutsideTheRangeEverywhereTheyAreRead() {
        String sub = created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"start\":\""
                + NOV_1 + "\"}")).get("id").asText();
        String edge = "+999999999-12-31T23:59:59Z";
        refusedAt(t.post("/v1/subscriptions/" + sub + "/change", "{\"plan\":\"pro\",\"at\":\"" + edge + "\"}"), "at");
        refusedAt(t.post("/v1/subscriptions/" + sub + "/cancel", "{\"at\":\"" + edge + "\"}"), "at");
        refusedAt(t.put("/v1/meters/tokens", "{\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                + "\"value_path\":\"tokens\",\"effective_from\":\"" + edge + "\"}"), "effective_from");
        refused(t.post("/v1/api-keys", "{\"name\":\"k\",\"scopes\":[\"read\"],\"expires_at\":\"" + edge + "\"}"),
                "validation");
        for (String q : List.of("/v1/events?from=", "/v1/events?to=", "/v1/meters/tokens/usage?from=",
                "/v1/reconciliation?to=")) {
            refused(t.get(q + "%2B999999999-12-31T23:59:59Z"), "validation");
            refused(t.get(q + "1969-12-31T23:59:59Z"), "validation");
        }
        JsonNode r = ok(t.events("application/cloudevents+json", "{\"specversion\":\"1.0\",\"id\":\"e1\","
                + "\"source\":\"s\",\"type\":\"llm.tokens\",\"subject\":\"acme\",\"time\":\"" + edge + "\"}"));
        assertThat(r.get("results").get(0).get("reason").asText()).isEqualTo("bad_time");
        assertThat(r.get("results").get(0).get("detail").asText()).contains("1970", "9999");
    }

    @Test
    void refusesTrailingDataAfterPlan() {
        String plan = PLAN.replace("\"key\":\"pro\"", "\"key\":\"p2\"");
        for (String body : List.of(plan + "xyz", plan + plan, plan + "[]", plan + " 1", plan + "}")) {
            refused(t.post("/v1/plans", body), "malformed-body");
        }
        String sub = "{\"customer\":\"acme\",\"plan\":\"pro\"}";
        refused(t.post("/v1/subscriptions", sub + "xyz"), "malformed-body");
        refused(t.post("/v1/subscriptions", sub + sub), "malformed-body");
        String preview = "{\"currency\":\"USD\",\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"},\"quantity\":\"2\"}";
        refused(t.post("/v1/prices/preview", preview + "xyz"), "malformed-body");
        refused(t.post("/v1/prices/preview", preview + preview), "malformed-body");
        refused(t.post("/v1/customers", "{\"external_id\":\"c2\",\"currency\":\"USD\"} {}"), "malformed-body");
        assertThat(ok(t.get("/v1/plans")).get("plans")).hasSize(1);
        assertThat(ok(t.get("/v1/subscriptions")).get("subscriptions")).isEmpty();
        // whitespace after the value is fine
        ok(t.post("/v1/prices/preview", preview + " \r\n\t"));
    }

    @Test
    void refusesDuplicateKeysInEveryBody() {
        refused(t.post("/v1/plans", PLAN.replace("\"key\":\"pro\"", "\"key\":\"p2\",\"key\":\"p3\"")), "malformed-body");
        refused(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"plan\":\"pro\"}"),
                "malformed-body");
        refused(t.post("/v1/prices/preview", "{\"currency\":\"USD\",\"price\":{\"model\":\"unit\",\"unit_price\":\"1\","
                + "\"unit_price\":\"0\"},\"quantity\":\"2\"}"), "malformed-body");
        refused(t.post("/v1/customers", "{\"external_id\":\"c2\",\"external_id\":\"c3\",\"currency\":\"USD\"}"),
                "malformed-body");
        String event = "{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"s\",\"type\":\"llm.tokens\","
                + "\"subject\":\"acme\",\"time\":\"" + NOV_1 + "\",\"data\":{\"tokens\":1}}";
        refused(t.events("application/cloudevents+json", event.replace("\"subject\":\"acme\"",
                "\"subject\":\"acme\",\"subject\":\"bolt\"")), "malformed-body");
        refused(t.events("application/cloudevents+json", event.replace("{\"tokens\":1}", "{\"tokens\":1,\"tokens\":9}")),
                "malformed-body");
        refused(t.events("application/cloudevents+json", event.replace("\"subject\"", "\"ext\":1,\"ext\":2,\"subject\"")),
                "malformed-body");
        refused(t.events("application/cloudevents+json", event + "xyz"), "malformed-body");
        assertThat(ok(t.get("/v1/customers")).get("customers")).hasSize(1);
        assertThat(ok(t.get("/v1/events")).get("events")).isEmpty();
    }

    @Test
    void refusesLoneSurrogateInExternalId() {
        for (String id : List.of("x\\ud800", "x\\udc00", "\\udbff", "a\\udc00\\ud800b")) {
            refusedAt(t.post("/v1/customers", "{\"external_id\":\"" + id + "\",\"currency\":\"USD\"}"), "external_id");
        }
        // "x?" is a different, valid id; a correctly paired surrogate (an emoji) is kept exactly
        created(t.post("/v1/customers", "{\"external_id\":\"x?\",\"currency\":\"USD\"}"));
        JsonNode emoji = created(t.post("/v1/customers", "{\"external_id\":\"x\\ud83d\\ude00\",\"currency\":\"USD\"}"));
        assertThat(emoji.get("external_id").asText()).isEqualTo("x\uD83D\uDE00");
        assertThat(ok(t.get("/v1/customers")).get("customers")).hasSize(3);
        refusedAt(t.post("/v1/plans", PLAN.replace("\"key\":\"pro\"", "\"key\":\"p2\",\"name\":\"P\\ud800\"")), "name");
        refusedAt(t.post("/v1/meters", "{\"key\":\"m\\udfff\",\"event_type\":\"t\",\"aggregation\":\"count\"}"), "key");
        refusedAt(t.post("/v1/customers", "{\"external_id\":\"c9\",\"currency\":\"USD\",\"metadata\":{\"k\\ud800\":\"v\"}}"),
                "metadata");
    }

    @Test
    void refusesEventsWhoseIdentitiesAreNotValidUnicode() {
        for (String attribute : List.of("id", "source", "subject", "type")) {
            String event = "{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"s\",\"type\":\"llm.tokens\","
                    + "\"subject\":\"acme\",\"time\":\"" + NOV_1 + "\"}";
            String hostile = event.replaceFirst("\"" + attribute + "\":\"([^\"]*)\"", "\"" + attribute + "\":\"$1\\\\ud800\"");
            JsonNode r = ok(t.events("application/cloudevents+json", hostile));
            assertThat(r.get("rejected").asInt()).as(hostile).isEqualTo(1);
            assertThat(r.get("results").get(0).get("reason").asText()).isEqualTo("invalid_attribute");
        }
    }

    @Test
    void validatesTheFeatureKeyOnAnEntitlementCheck() {
        for (String feature : List.of("Tokens", "a%20b", "%C3%A9", "-x", "x".repeat(65), "a..b%24")) {
            JsonNode p = refused(t.get("/v1/customers/acme/entitlements/" + feature), "validation");
            assertThat(p.get("errors").get(0).get("field").asText()).isEqualTo("feature");
            refused(t.send("DELETE", "/v1/customers/acme/entitlements/" + feature, null, null, TestServer.KEY),
                    "validation");
        }
        assertThat(ok(t.get("/v1/customers/acme/entitlements/tokens")).get("allowed").asBoolean()).isFalse();
    }
}

package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AccessControlHttpTest {
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    MutableClock clock;
    TestServer t;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOW);
        t = new TestServer(clock);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    String key(String body) {
        var r = t.post("/v1/api-keys", body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("key").asText();
    }

    static String event(String id) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"a\",\"type\":\"call\",\"subject\":\"acme\"}";
    }

    @Test
    void aNewKeyIsShownOnceWithItsPrefixAndListedWithoutItsSecret() {
        var r = t.post("/v1/api-keys", "{\"name\":\"ci\",\"scopes\":[\"ingest\"]}");
        String secret = r.json().get("key").asText();
        assertThat(secret).matches("tly_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}");
        assertThat(r.json().get("prefix").asText()).isEqualTo(secret.substring(0, 12));
        String list = t.get("/v1/api-keys").body();
        assertThat(list).contains(r.json().get("id").asText()).doesNotContain(secret);
        assertThat(t.post("/v1/api-keys", "{\"name\":\"x\",\"scopes\":[\"root\"]}").status()).isEqualTo(400);
        assertThat(t.post("/v1/api-keys", "{\"name\":\"x\",\"scopes\":[\"system\"]}").status()).isEqualTo(400);
    }

    @Test
    void scopesDecideWhatAKeyMayDo() {
        String ingest = key("{\"name\":\"i\",\"scopes\":[\"ingest\"]}");
        String read = key("{\"name\":\"r\",\"scopes\":[\"read\"]}");
        assertThat(t.send("POST", "/v1/events", "application/json", event("e1"), ingest).status()).isEqualTo(200);
        assertThat(t.send("GET", "/v1/meters", null, null, ingest).status()).isEqualTo(403);
        assertThat(t.send("GET", "/v1/meters", null, null, read).status()).isEqualTo(200);
        assertThat(t.send("POST", "/v1/events", "application/json", event("e2"), read).status()).isEqualTo(403);
        var forbidden = t.send("POST", "/v1/meters", "application/json",
                "{\"key\":\"m\",\"event_type\":\"call\",\"aggregation\":\"count\"}", read);
        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.json().get("detail").asText()).contains("admin");
        assertThat(t.send("GET", "/v1/api-keys", null, null, read).status()).isEqualTo(403);
    }

    @Test
    void revocationTakesEffectOnTheVeryNextRequest() {
        var created = t.post("/v1/api-keys", "{\"name\":\"r\",\"scopes\":[\"read\"]}").json();
        String secret = created.get("key").asText();
        assertThat(t.send("GET", "/v1/meters", null, null, secret).status()).isEqualTo(200);
        assertThat(t.send("DELETE", "/v1/api-keys/" + created.get("id").asText(), null, null, TestServer.KEY).status())
                .isEqualTo(204);
        assertThat(t.send("GET", "/v1/meters", null, null, secret).status()).isEqualTo(401);
        assertThat(t.send("DELETE", "/v1/api-keys/" + created.get("id").asText(), null, null, TestServer.KEY).status())
                .isEqualTo(404);
    }

    @Test
    void anExpiredKeyIsRefused() {
        String secret = key("{\"name\":\"short\",\"scopes\":[\"read\"],\"expires_at\":\"" + NOW.plusSeconds(60) + "\"}");
        assertThat(t.send("GET", "/v1/meters", null, null, secret).status()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(61));
        assertThat(t.send("GET", "/v1/meters", null, null, secret).status()).isEqualTo(401);
        assertThat(t.post("/v1/api-keys", "{\"name\":\"x\",\"scopes\":[\"read\"],\"expires_at\":\"" + NOW + "\"}").status())
                .isEqualTo(400);
    }

    @Test
    void aRateLimitedKeyGets429WithRetryAfterAndRateLimitHeadersAndNothingIsProcessed() {
        String secret = key("{\"name\":\"slow\",\"scopes\":[\"ingest\",\"read\"],\"rate_limit\":{\"requests_per_second\":2,\"burst\":2}}");
        var first = t.send("POST", "/v1/events", "application/json", event("r1"), secret);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.headers().firstValue("RateLimit-Limit")).contains("2");
        assertThat(first.headers().firstValue("RateLimit-Remaining")).contains("1");
        assertThat(t.send("POST", "/v1/events", "application/json", event("r2"), secret).status()).isEqualTo(200);
        var limited = t.send("POST", "/v1/events", "application/json", event("r3"), secret);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).contains("1");
        assertThat(limited.headers().firstValue("RateLimit-Remaining")).contains("0");
        assertThat(limited.json().get("type").asText()).endsWith("/rate-limited");
        clock.advance(Duration.ofMillis(500));
        var again = t.send("POST", "/v1/events", "application/json", event("r3"), secret);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("accepted").asInt()).as("the limited request was not processed").isEqualTo(1);
        assertThat(t.get("/v1/event-types").json().get("event_types").get(0).get("events").asInt()).isEqualTo(3);
    }

    @Test
    void onlyTheSystemKeyCreatesTenantsWhoseKeysSeeOnlyTheirOwnData() {
        var created = t.post("/v1/tenants", "{\"id\":\"globex\",\"name\":\"Globex\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String globex = created.json().get("admin_key").get("key").asText();
        assertThat(t.post("/v1/tenants", "{\"id\":\"globex\"}").status()).isEqualTo(409);
        assertThat(t.post("/v1/tenants", "{\"id\":\"Bad Id\"}").status()).isEqualTo(400);
        assertThat(t.send("POST", "/v1/tenants", "application/json", "{\"id\":\"other\"}", globex).status()).isEqualTo(403);
        t.post("/v1/meters", "{\"key\":\"calls\",\"event_type\":\"call\",\"aggregation\":\"count\"}");
        assertThat(t.send("GET", "/v1/meters", null, null, globex).json().get("meters")).isEmpty();
        assertThat(t.send("GET", "/v1/meters/calls", null, null, globex).status()).isEqualTo(404);
        assertThat(t.get("/v1/tenants").json().get("tenants").toString()).contains("default", "globex");
    }

    @Test
    void aPortalTokenReadsExactlyOneCustomerAndNothingElse() {
        t.post("/v1/meters", "{\"key\":\"calls\",\"event_type\":\"call\",\"aggregation\":\"count\"}");
        for (String c : new String[] {"acme", "initech"}) {
            t.post("/v1/customers", "{\"external_id\":\"" + c + "\",\"timezone\":\"UTC\",\"currency\":\"USD\"}");
        }
        t.post("/v1/plans", "{\"key\":\"p\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"10\",\"timing\":\"in_advance\"},"
                + "{\"key\":\"calls\",\"type\":\"usage\",\"name\":\"Calls\",\"meter\":\"calls\",\"price\":{\"model\":\"unit\",\"unit_price\":\"0.5\"}}]}");
        t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"p\"}");
        t.post("/v1/subscriptions", "{\"customer\":\"initech\",\"plan\":\"p\"}");
        t.post("/v1/billing/runs", "");
        t.events("application/json", "[" + event("p1") + "," + event("p2") + ","
                + event("p3").replace("acme", "initech") + "]");
        JsonNode issued = t.post("/v1/customers/acme/portal-tokens", "{\"ttl_seconds\":600}").json();
        String token = issued.get("token").asText();
        assertThat(token).startsWith("tlyp_");

        JsonNode me = t.send("GET", "/v1/portal/customer", null, null, token).json();
        assertThat(me.get("external_id").asText()).isEqualTo("acme");
        // the token decides the customer: naming one is refused, not silently overridden
        TestServer.Reply named = t.send("GET", "/v1/portal/meters/calls/usage?customer=initech", null, null, token);
        assertThat(named.status()).isEqualTo(400);
        assertThat(named.json().get("type").asText()).isEqualTo(Responses.PROBLEM_BASE + "unknown-parameter");
        assertThat(t.send("GET", "/v1/portal/invoices?customer=initech", null, null, token).status()).isEqualTo(400);
        JsonNode usage = t.send("GET", "/v1/portal/meters/calls/usage", null, null, token).json();
        assertThat(usage.get("customer").asText()).isEqualTo("acme");
        assertThat(usage.get("rows").get(0).get("value").asText()).isEqualTo("2");
        assertThat(t.send("GET", "/v1/portal/usage", null, null, token).json().get("customer").asText()).isEqualTo("acme");
        JsonNode invoices = t.send("GET", "/v1/portal/invoices", null, null, token).json().get("invoices");
        assertThat(invoices).hasSize(1);
        assertThat(invoices.get(0).get("customer").asText()).isEqualTo("acme");
        String other = t.get("/v1/invoices?customer=initech").json().get("invoices").get(0).get("id").asText();
        assertThat(t.send("GET", "/v1/portal/invoices/" + other, null, null, token).status()).isEqualTo(404);
        assertThat(t.send("GET", "/v1/portal/invoices/" + invoices.get(0).get("id").asText(), null, null, token).status())
                .isEqualTo(200);
        // nothing else: not the admin API, not another customer's data, not after it expires
        assertThat(t.send("GET", "/v1/meters", null, null, token).status()).isEqualTo(403);
        assertThat(t.send("GET", "/v1/customers/initech", null, null, token).status()).isEqualTo(403);
        assertThat(t.send("POST", "/v1/events", "application/json", event("x"), token).status()).isEqualTo(403);
        assertThat(t.send("GET", "/v1/portal/usage", null, null, TestServer.KEY).status()).isEqualTo(403);
        String forged = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");
        assertThat(t.send("GET", "/v1/portal/usage", null, null, forged).status()).isEqualTo(401);
        clock.advance(Duration.ofSeconds(601));
        assertThat(t.send("GET", "/v1/portal/usage", null, null, token).status()).isEqualTo(401);
        assertThat(t.post("/v1/customers/acme/portal-tokens", "{\"ttl_seconds\":999999}").status()).isEqualTo(400);
        assertThat(t.post("/v1/customers/nobody/portal-tokens", "{}").status()).isEqualTo(404);
    }
}

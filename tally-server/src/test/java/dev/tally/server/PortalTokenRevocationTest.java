package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Portal tokens over HTTP: a token of one tenant's customer is refused as the same customer id of another
 * tenant (each tenant signs with its own key), and {@code POST /v1/customers/{id}/portal-tokens/revoke} makes every
 * earlier token of that customer a 401 while later ones, and other customers' tokens, keep working.
 */
class PortalTokenRevocationTest {
    TestServer t;
    String otherKey;

    @BeforeEach
    void start() throws Exception {
        t = new TestServer(new MutableClock(Instant.parse("2026-11-20T12:00:00Z")));
        otherKey = t.post("/v1/tenants", "{\"id\":\"other\"}").json().get("admin_key").get("key").asText();
        for (String key : new String[] {TestServer.KEY, otherKey}) {
            assertThat(t.send("POST", "/v1/customers", "application/json",
                    "{\"external_id\":\"acme\",\"currency\":\"USD\"}", key).status()).isEqualTo(201);
        }
        assertThat(t.post("/v1/customers", "{\"external_id\":\"globex\",\"currency\":\"USD\"}").status()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    String token(String customer, String key) {
        TestServer.Reply r = t.send("POST", "/v1/customers/" + customer + "/portal-tokens", "application/json", "{}", key);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get("token").asText();
    }

    int portal(String token) {
        return t.send("GET", "/v1/portal/customer", null, null, token).status();
    }

    @Test
    void aTokenOfOneTenantCannotBeReplayedAsAnotherTenantsCustomerWithTheSameId() throws Exception {
        String mine = token("acme", TestServer.KEY);
        assertThat(portal(mine)).isEqualTo(200);
        String body = mine.substring("tlyp_".length());
        int dot = body.lastIndexOf('.');
        ObjectNode claims = (ObjectNode) t.mapper.readTree(Base64.getUrlDecoder().decode(body.substring(0, dot)));
        assertThat(claims.get("t").asText()).isEqualTo("default");
        claims.put("t", "other");
        String replayed = "tlyp_" + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8)) + body.substring(dot);

        TestServer.Reply r = t.send("GET", "/v1/portal/customer", null, null, replayed);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
        String theirs = token("acme", otherKey);
        assertThat(portal(theirs)).isEqualTo(200);
        assertThat(theirs.substring(theirs.lastIndexOf('.'))).isNotEqualTo(mine.substring(mine.lastIndexOf('.')));
    }

    @Test
    void revokingACustomersTokensRefusesEveryEarlierOne() {
        String first = token("acme", TestServer.KEY);
        String second = token("acme", TestServer.KEY);
        String globex = token("globex", TestServer.KEY);
        String otherTenants = token("acme", otherKey);
        assertThat(portal(first)).isEqualTo(200);

        TestServer.Reply revoked = t.post("/v1/customers/acme/portal-tokens/revoke", "");
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
        JsonNode out = revoked.json();
        assertThat(out.get("customer").asText()).isEqualTo("acme");
        assertThat(out.get("token_generation").asLong()).isEqualTo(1);
        assertThat(out.get("revoked_at").asText()).isEqualTo("2026-11-20T12:00:00Z");

        assertThat(portal(first)).isEqualTo(401);
        assertThat(portal(second)).isEqualTo(401);
        assertThat(portal(globex)).as("another customer").isEqualTo(200);
        assertThat(portal(otherTenants)).as("the same id in another tenant").isEqualTo(200);
        String after = token("acme", TestServer.KEY);
        assertThat(portal(after)).isEqualTo(200);
        assertThat(t.post("/v1/customers/acme/portal-tokens/revoke", "").json().get("token_generation").asLong())
                .isEqualTo(2);
        assertThat(portal(after)).isEqualTo(401);

        assertThat(t.post("/v1/customers/nobody/portal-tokens/revoke", "").status()).isEqualTo(404);
        assertThat(t.send("POST", "/v1/customers/globex/portal-tokens/revoke", null, null, globex).status())
                .as("a (valid) portal token cannot revoke").isEqualTo(403);
    }
}

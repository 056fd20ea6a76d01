package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Anomalies over HTTP on port 0: a duplicate storm sent to {@code POST /v1/events} is listed, filtered, read and
 * reviewed (idempotently, audited, 409 on a contradicting review); the policy's defaults and validation; another
 * tenant's key sees and reviews nothing; and the key that sent events is the one a key-spread anomaly names.
 */
class AnomaliesHttpTest {
    static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");
    MutableClock clock;
    TestServer t;
    int ids;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(T0);
        t = new TestServer(clock);
        assertThat(t.post("/v1/meters", "{\"key\":\"calls\",\"event_type\":\"call\",\"aggregation\":\"count\"}")
                .status()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    /** A minute: 200 events of {@code customers} from {@code source}, plus {@code copies} duplicates of them. */
    void minute(String key, String source, List<String> customers, int copies) {
        clock.advance(Duration.ofMinutes(1));
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            batch.add("{\"specversion\":\"1.0\",\"id\":\"e" + (ids++) + "\",\"source\":\"" + source
                    + "\",\"type\":\"call\",\"subject\":\"" + customers.get(i % customers.size()) + "\",\"time\":\""
                    + clock.instant() + "\"}");
        }
        for (int i = 0; i < copies; i++) {
            batch.add(batch.get(i % 200));
        }
        var r = t.send("POST", "/v1/events", "application/cloudevents-batch+json", "[" + String.join(",", batch) + "]",
                key);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        t.server.engine().anomalies().evaluate();
    }

    JsonNode ok(TestServer.Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    String storm() {
        for (int m = 0; m < 5; m++) {
            minute(TestServer.KEY, "app", List.of("acme"), 2);
        }
        minute(TestServer.KEY, "app", List.of("acme"), 400);
        JsonNode list = ok(t.get("/v1/anomalies")).get("anomalies");
        assertThat(list).hasSize(1);
        return list.get(0).get("id").asText();
    }

    @Test
    void aStormIsListedFilteredAndReviewedOnceWithTheReviewAudited() {
        String id = storm();
        JsonNode a = ok(t.get("/v1/anomalies/" + id));
        assertThat(a.get("kind").asText()).isEqualTo("duplicate_storm");
        assertThat(a.get("subject").asText()).isEqualTo("app");
        assertThat(a.get("status").asText()).isEqualTo("open");
        assertThat(a.get("active").asBoolean()).isTrue();
        assertThat(a.get("window").get("end").isNull()).isTrue();
        assertThat(a.get("hold").asText()).isEqualTo("none");
        assertThat(ok(t.get("/v1/anomalies?kind=duplicate_storm&status=open")).get("anomalies")).hasSize(1);
        assertThat(ok(t.get("/v1/anomalies?kind=usage_spike")).get("anomalies")).isEmpty();
        assertThat(ok(t.get("/v1/anomalies?status=dismissed")).get("anomalies")).isEmpty();
        assertThat(ok(t.get("/v1/anomalies?customer=acme")).get("anomalies")).as("storms are per source").isEmpty();
        assertThat(ok(t.get("/v1/anomalies?from=" + clock.instant().plusSeconds(1))).get("anomalies")).isEmpty();

        JsonNode acked = ok(t.post("/v1/anomalies/" + id + "/acknowledge", ""));
        assertThat(acked.get("status").asText()).isEqualTo("acknowledged");
        assertThat(acked.get("reviewed_by").asText()).isNotBlank();
        assertThat(ok(t.post("/v1/anomalies/" + id + "/acknowledge", ""))).isEqualTo(acked);
        var conflict = t.post("/v1/anomalies/" + id + "/dismiss", "");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.json().get("type").asText()).endsWith("anomaly-already-reviewed");

        JsonNode audit = ok(t.get("/v1/audit?resource=anomaly&id=" + id)).get("records");
        assertThat(audit).isNotEmpty();
        assertThat(audit.get(0).get("action").asText()).isEqualTo("POST /v1/anomalies/{id}/acknowledge");
        assertThat(audit.get(0).get("patch").toString()).contains("acknowledged");
    }

    @Test
    void badFiltersUnknownIdsAndForeignCursorsAreClearErrors() {
        assertThat(t.get("/v1/anomalies?status=bogus").status()).isEqualTo(400);
        assertThat(t.get("/v1/anomalies?kind=bogus").status()).isEqualTo(400);
        assertThat(t.get("/v1/anomalies?cursor=bm90LWEtY3Vyc29y").status()).isEqualTo(400);
        assertThat(t.get("/v1/anomalies?limit=0").status()).isEqualTo(400);
        assertThat(t.get("/v1/anomalies/ano_nope").status()).isEqualTo(404);
        assertThat(t.post("/v1/anomalies/ano_nope/dismiss", "").status()).isEqualTo(404);
    }

    @Test
    void thePolicyDefaultsToNoHoldAndAnInvalidOneIsRefusedNamingTheField() {
        JsonNode fresh = ok(t.get("/v1/anomaly-policy"));
        assertThat(fresh.get("hold").asText()).isEqualTo("none");
        assertThat(fresh.get("spike_ratio").asText()).isEqualTo("5");
        var bad = t.put("/v1/anomaly-policy", "{\"hold\":\"freeze\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").get(0).get("field").asText()).isEqualTo("hold");
        assertThat(t.put("/v1/anomaly-policy", "{\"storm_ratio\":2}").status()).isEqualTo(400);
        assertThat(t.put("/v1/anomaly-policy", "{\"bogus\":1}").status()).isEqualTo(400);
        JsonNode set = ok(t.put("/v1/anomaly-policy", "{\"hold\":\"draft_hold\",\"spike_ratio\":\"8\",\"stop_hours\":6}"));
        assertThat(set.get("hold").asText()).isEqualTo("draft_hold");
        assertThat(set.get("stop_hours").asInt()).isEqualTo(6);
        assertThat(ok(t.get("/v1/anomaly-policy"))).isEqualTo(set);
        assertThat(ok(t.get("/v1/audit?resource=anomaly_policy")).get("records")).hasSize(1);
    }

    @Test
    void anotherTenantSeesNoneOfItAndCannotReviewIt() {
        String id = storm();
        String other = t.post("/v1/tenants", "{\"id\":\"other\"}").json().get("admin_key").get("key").asText();
        assertThat(t.send("GET", "/v1/anomalies", null, null, other).json().get("anomalies")).isEmpty();
        assertThat(t.send("GET", "/v1/anomalies/" + id, null, null, other).status()).isEqualTo(404);
        assertThat(t.send("POST", "/v1/anomalies/" + id + "/dismiss", "application/json", "", other).status())
                .isEqualTo(404);
        assertThat(ok(t.get("/v1/anomalies/" + id)).get("status").asText()).isEqualTo("open");
    }

    @Test
    void aKeySendingForCustomersItNeverSentForIsNamedByItsId() {
        JsonNode key = t.post("/v1/api-keys", "{\"name\":\"integration\",\"scopes\":[\"ingest\"]}").json();
        String secret = key.get("key").asText();
        String keyId = key.get("id").asText();
        List<String> own = List.of("acme", "globex", "initech");
        minute(secret, "app", own, 0);
        clock.advance(Duration.ofHours(25));
        minute(secret, "app", own, 0);
        assertThat(ok(t.get("/v1/anomalies")).get("anomalies")).isEmpty();
        List<String> strangers = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            strangers.add("stranger" + i);
        }
        minute(secret, "app", strangers, 0);
        JsonNode list = ok(t.get("/v1/anomalies?kind=key_customer_spread")).get("anomalies");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("subject").asText()).isEqualTo(keyId);
        assertThat(list.get(0).get("observed").asDouble()).isEqualTo(12.0);
    }
}

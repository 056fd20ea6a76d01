package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/audit} over HTTP on port 0: a resource's history by resource and id, the actor and time filters,
 * cursor paging without repeats, refusals (bad cursor, a key without admin), the request id echoed and stored, a
 * failed request writing nothing, and tenant scoping.
 */
class AuditHttpTest {
    MutableClock clock;
    TestServer t;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(Instant.parse("2026-11-01T00:00:00Z"));
        t = new TestServer(clock);
        assertThat(t.post("/v1/customers", "{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}")
                .status()).isEqualTo(201);
        for (int i = 0; i < 7; i++) {
            clock.advance(java.time.Duration.ofMinutes(1));
            var r = t.send("PATCH", "/v1/customers/acme", "application/json", "{\"name\":\"Acme " + i + "\"}",
                    TestServer.KEY);
            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        t.post("/v1/meters", "{\"key\":\"calls\",\"event_type\":\"call\",\"aggregation\":\"count\"}");
    }

    @AfterEach
    void stop() {
        t.close();
    }

    JsonNode ok(String path) {
        var r = t.get(path);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void showsAResourcesHistoryWithItsPatches() {
        JsonNode page = ok("/v1/audit?resource=customer&id=acme");
        assertThat(page.get("records")).hasSize(8);
        JsonNode created = page.get("records").get(0);
        assertThat(created.get("action").asText()).isEqualTo("POST /v1/customers");
        assertThat(created.at("/patch/0/op").asText()).isEqualTo("add");
        JsonNode last = page.get("records").get(7);
        assertThat(last.get("action").asText()).isEqualTo("PATCH /v1/customers/{external_id}");
        assertThat(last.get("patch").toString()).contains("\"path\":\"/name\"", "Acme 6");
        assertThat(last.at("/actor/type").asText()).isEqualTo("key");
        assertThat(ok("/v1/audit?resource=meter").get("records")).hasSize(1);
    }

    @Test
    void pagesByCursorWithoutRepeats() {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = ok("/v1/audit?limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
            page.get("records").forEach(r -> ids.add(r.get("id").asText()));
            cursor = page.hasNonNull("next_cursor") ? page.get("next_cursor").asText() : null;
            pages++;
        } while (cursor != null);
        assertThat(ids).hasSize(9).doesNotHaveDuplicates();
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void filtersByActorAndTime() {
        String keyId = t.get("/v1/audit?limit=1").json().at("/records/0/actor/id").asText();
        assertThat(ok("/v1/audit?actor=" + keyId).get("records")).hasSize(9);
        assertThat(ok("/v1/audit?actor=scheduler").get("records")).isEmpty();
        JsonNode all = ok("/v1/audit").get("records");
        Instant from = Instant.parse(all.get(2).get("at").asText());
        Instant to = Instant.parse(all.get(6).get("at").asText());
        List<String> expected = new ArrayList<>();
        all.forEach(r -> {
            Instant at = Instant.parse(r.get("at").asText());
            if (!at.isBefore(from) && at.isBefore(to)) {
                expected.add(r.get("id").asText());
            }
        });
        assertThat(expected).isNotEmpty().hasSizeLessThan(9);
        List<String> got = new ArrayList<>();
        ok("/v1/audit?from=" + from + "&to=" + to).get("records").forEach(r -> got.add(r.get("id").asText()));
        assertThat(got).isEqualTo(expected);
    }

    @Test
    void echoesAndStoresTheRequestIdAndAFailedRequestWritesNothing() {
        var r = t.send("PATCH", "/v1/customers/acme", "application/json", "{\"name\":\"Traced\"}", TestServer.KEY);
        String id = r.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).startsWith("req_");
        JsonNode records = ok("/v1/audit?resource=customer&id=acme").get("records");
        assertThat(records.get(records.size() - 1).get("request_id").asText()).isEqualTo(id);
        var failed = t.send("PATCH", "/v1/customers/acme", "application/json", "{\"timezone\":\"Not/AZone\"}",
                TestServer.KEY);
        assertThat(failed.status()).isEqualTo(400);
        assertThat(ok("/v1/audit?resource=customer&id=acme").get("records")).hasSize(records.size());
    }

    @Test
    void refusesABadCursorAKeyWithoutAdminAndShowsNothingOfAnotherTenant() {
        assertThat(t.get("/v1/audit?cursor=garbage").status()).isEqualTo(400);
        assertThat(t.get("/v1/audit?limit=0").status()).isEqualTo(400);
        String read = t.post("/v1/api-keys", "{\"name\":\"r\",\"scopes\":[\"read\"]}").json().get("key").asText();
        assertThat(t.send("GET", "/v1/audit", null, null, read).status()).isEqualTo(403);
        String other = t.post("/v1/tenants", "{\"id\":\"other\"}").json().get("admin_key").get("key").asText();
        JsonNode theirs = t.send("GET", "/v1/audit", null, null, other).json();
        assertThat(theirs.get("records")).isEmpty();
    }
}

package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code /v1/event-types/{type}/schemas} over HTTP on port 0, on the embedded store and on PostgreSQL: each endpoint,
 * the 422 for a document that is no schema, and events rejected on ingest with path, keyword and version.
 */
class EventSchemasHttpTest {
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final String SCHEMA = "{\"type\":\"object\",\"required\":[\"tokens\"],\"properties\":{\"tokens\":"
            + "{\"type\":\"integer\"}}}";
    static final String PATH = "/v1/event-types/llm.tokens/schemas";

    MutableClock clock;
    TestServer t;

    static Stream<String> stores() {
        return TestServer.stores();
    }

    void start(String store) throws Exception {
        clock = new MutableClock(NOW);
        t = TestServer.on(store, clock);
    }

    @AfterEach
    void stop() {
        if (t != null) {
            t.close();
        }
    }

    TestServer.Reply event(String id, String data) {
        return t.events("application/json", "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"app\","
                + "\"type\":\"llm.tokens\",\"subject\":\"acme\",\"time\":\"" + clock.instant().minusSeconds(30)
                + "\",\"data\":" + data + "}");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void postCreatesVersionsGetListsAndReadsThemDeleteRetires(String store) throws Exception {
        start(store);
        assertThat(t.get(PATH).json().get("versions")).isEmpty();
        TestServer.Reply v1 = t.post(PATH, "{\"schema\":" + SCHEMA + "}");
        assertThat(v1.status()).as(v1.body()).isEqualTo(201);
        assertThat(v1.json().get("version").asInt()).isEqualTo(1);
        assertThat(v1.json().get("in_force").asBoolean()).isTrue();
        assertThat(v1.json().get("schema")).isEqualTo(t.mapper.readTree(SCHEMA));

        TestServer.Reply again = t.post(PATH, "{\"schema\":" + SCHEMA + "}");
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().get("version").asInt()).isEqualTo(1);

        TestServer.Reply v2 = t.post(PATH, "{\"schema\":{\"type\":\"object\"},\"effective_from\":\""
                + NOW.plus(Duration.ofHours(1)) + "\"}");
        assertThat(v2.status()).as(v2.body()).isEqualTo(201);
        assertThat(v2.json().get("in_force").asBoolean()).isFalse();

        JsonNode list = t.get(PATH).json();
        assertThat(list.get("in_force_version").asInt()).isEqualTo(1);
        assertThat(list.get("versions")).extracting(v -> v.get("version").asInt()).containsExactly(1, 2);
        assertThat(t.get(PATH + "/2").json().get("effective_from").asText()).isEqualTo("2026-11-20T13:00:00Z");
        assertThat(t.get(PATH + "/3").status()).isEqualTo(404);
        assertThat(t.get(PATH + "/two").status()).isEqualTo(400);

        // retiring while v2 waits for its time is refused; once it is in force, DELETE appends v3 without a schema
        assertThat(t.send("DELETE", PATH, null, null, TestServer.KEY).status()).isEqualTo(409);
        clock.advance(Duration.ofHours(1));
        TestServer.Reply retired = t.send("DELETE", PATH, null, null, TestServer.KEY);
        assertThat(retired.status()).as(retired.body()).isEqualTo(200);
        assertThat(retired.json().get("version").asInt()).isEqualTo(3);
        assertThat(retired.json().get("retired").asBoolean()).isTrue();
        assertThat(retired.json().get("schema").isNull()).isTrue();
        assertThat(t.get(PATH).json().get("versions")).hasSize(3);
        assertThat(t.send("DELETE", "/v1/event-types/never/schemas", null, null, TestServer.KEY).status())
                .isEqualTo(404);
        // every successful change is in the audit log; the no-op re-post with an empty patch
        JsonNode audit = t.get("/v1/audit?resource=event_schema").json().get("records");
        assertThat(audit).extracting(a -> a.get("action").asText()).containsExactly(
                "POST /v1/event-types/{type}/schemas", "POST /v1/event-types/{type}/schemas",
                "POST /v1/event-types/{type}/schemas", "DELETE /v1/event-types/{type}/schemas");
        assertThat(audit.get(1).get("patch")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aDocumentThatIsNoSchemaIs422AndABadBodyIs400(String store) throws Exception {
        start(store);
        TestServer.Reply bad = t.post(PATH, "{\"schema\":{\"type\":\"integr\"}}");
        assertThat(bad.status()).as(bad.body()).isEqualTo(422);
        assertThat(bad.json().get("type").asText()).endsWith("invalid-schema");
        assertThat(bad.json().get("detail").asText()).contains("/type").contains("2020-12");
        assertThat(bad.body()).doesNotContain("Exception").doesNotContain("networknt");
        assertThat(t.post(PATH, "{\"schema\":{\"$ref\":\"file:///etc/passwd\"}}").status()).isEqualTo(422);
        assertThat(t.post(PATH, "{}").status()).isEqualTo(400);
        assertThat(t.post(PATH, "{\"schema\":true,\"owner\":\"me\"}").status()).isEqualTo(400);
        assertThat(t.post(PATH, "{\"schema\":true,\"effective_from\":\"yesterday\"}").status()).isEqualTo(400);
        assertThat(t.post(PATH, "{\"schema\":true,\"effective_from\":\"2026-11-19T00:00:00Z\"}").status())
                .isEqualTo(400);
        assertThat(t.get(PATH).json().get("versions")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void eventsAreRejectedOnIngestWithPathKeywordAndVersionAndListedAsRejected(String store) throws Exception {
        start(store);
        assertThat(t.post(PATH, "{\"schema\":" + SCHEMA + "}").status()).isEqualTo(201);
        TestServer.Reply batch = t.events("application/cloudevents-batch+json", "["
                + "{\"specversion\":\"1.0\",\"id\":\"ok\",\"source\":\"app\",\"type\":\"llm.tokens\",\"subject\":\"acme\","
                + "\"data\":{\"tokens\":5}},"
                + "{\"specversion\":\"1.0\",\"id\":\"bad\",\"source\":\"app\",\"type\":\"llm.tokens\",\"subject\":\"acme\","
                + "\"data\":{\"tokens\":\"5\"}},"
                + "{\"specversion\":\"1.0\",\"id\":\"other\",\"source\":\"app\",\"type\":\"api.call\",\"subject\":\"acme\","
                + "\"data\":{\"tokens\":\"5\"}}]");
        assertThat(batch.status()).as(batch.body()).isEqualTo(200);
        assertThat(batch.json().get("accepted").asInt()).isEqualTo(2);
        assertThat(batch.json().get("rejected").asInt()).isEqualTo(1);
        JsonNode bad = batch.json().get("results").get(1);
        assertThat(bad.get("status").asText()).isEqualTo("rejected");
        assertThat(bad.get("reason").asText()).isEqualTo("schema_violation");
        assertThat(bad.toString()).contains("$.data.tokens: type: string found, integer expected (schema v1)");

        JsonNode rejected = t.get("/v1/events/rejected").json();
        assertThat(rejected.toString()).contains("schema_violation").contains("\"bad\"").contains("llm.tokens");

        // a new version takes over for what arrives next; the accepted event stays accepted
        assertThat(t.post(PATH, "{\"schema\":{\"properties\":{\"tokens\":{\"type\":\"string\"}}}}").status())
                .isEqualTo(201);
        JsonNode now = event("again", "{\"tokens\":5}").json().get("results").get(0);
        assertThat(now.get("reason").asText()).isEqualTo("schema_violation");
        assertThat(now.toString()).contains("(schema v2)");
        assertThat(event("fine", "{\"tokens\":\"5\"}").json().get("accepted").asInt()).isEqualTo(1);
        assertThat(t.get("/v1/events?type=llm.tokens").json().toString()).contains("\"ok\"").contains("\"fine\"")
                .doesNotContain("\"again\"");
    }
}

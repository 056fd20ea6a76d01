package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/events} driven by the official CloudEvents Java SDK ({@code cloudevents-http-basic} writes the
 * HTTP message, {@code cloudevents-json-jackson} the JSON event format) in its three content modes: binary (the
 * SDK's default), structured and batch (a JSON array of the SDK's structured events, the JSON batch format).
 */
class CloudEventsSdkTest {
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final OffsetDateTime AN_HOUR_AGO = OffsetDateTime.ofInstant(NOW.minusSeconds(3600), ZoneOffset.UTC);

    TestServer t;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws IOException {
        t = new TestServer(new MutableClock(NOW));
        var meter = t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                + "\"value_path\":\"tokens\",\"group_by\":[\"model\"]}");
        assertThat(meter.status()).as(meter.body()).isEqualTo(201);
        var calls = t.post("/v1/meters", "{\"key\":\"calls\",\"event_type\":\"api.call\",\"aggregation\":\"count\"}");
        assertThat(calls.status()).as(calls.body()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    static CloudEvent tokens(String id, String subject, int tokens) {
        return CloudEventBuilder.v1().withId(id).withSource(URI.create("/chat/api")).withType("llm.tokens")
                .withSubject(subject).withTime(AN_HOUR_AGO).withDataContentType("application/json")
                .withExtension("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .withExtension("region", "eu")
                .withData(("{\"tokens\":" + tokens + ",\"model\":\"big\"}").getBytes(StandardCharsets.UTF_8))
                .build();
    }

    /** What the SDK wrote: headers and body, ready to send. */
    record Message(Map<String, String> headers, byte[] body) {
    }

    static Message binary(CloudEvent event) {
        Map<String, String> headers = new LinkedHashMap<>();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        HttpMessageFactory.createWriter(headers::put, b -> body.writeBytes(b == null ? new byte[0] : b))
                .writeBinary(event);
        return new Message(headers, body.toByteArray());
    }

    static Message structured(CloudEvent event) {
        Map<String, String> headers = new LinkedHashMap<>();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        HttpMessageFactory.createWriter(headers::put, b -> body.writeBytes(b == null ? new byte[0] : b))
                .writeStructured(event, new JsonFormat());
        return new Message(headers, body.toByteArray());
    }

    /** The JSON batch format: a JSON array of events in the SDK's JSON event format. */
    static Message batch(List<CloudEvent> events) {
        JsonFormat format = new JsonFormat();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write('[');
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                body.write(',');
            }
            body.writeBytes(format.serialize(events.get(i)));
        }
        body.write(']');
        return new Message(Map.of("Content-Type", "application/cloudevents-batch+json"), body.toByteArray());
    }

    record Reply(int status, String contentType, JsonNode json) {
    }

    Reply send(Message m) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + t.server.port() + "/v1/events"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(m.body()))
                .header("Authorization", "Bearer " + TestServer.KEY);
        m.headers().forEach(b::header);
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        String ct = r.headers().firstValue("Content-Type").orElse("");
        return new Reply(r.statusCode(), ct, r.body().isEmpty() ? null : t.mapper.readTree(r.body()));
    }

    String usage(String meter, String customer) {
        var r = t.get("/v1/meters/" + meter + "/usage?customer=" + customer + "&from=2026-11-01T00:00:00Z");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("rows").path(0).path("value").asText();
    }

    @Test
    void acceptsTheSdksDefaultBinaryModeAndMetersItsData() throws Exception {
        Message m = binary(tokens("b1", "acme", 1200));
        assertThat(m.headers()).containsKeys("ce-id", "ce-source", "ce-type", "ce-specversion", "ce-subject",
                "ce-time", "ce-traceparent", "ce-region", "Content-Type");
        Reply r = send(m);
        assertThat(r.status()).as("%s", r.json()).isEqualTo(200);
        assertThat(r.json().path("accepted").asInt()).as("%s", r.json()).isEqualTo(1);
        assertThat(r.json().path("results").path(0).path("id").asText()).isEqualTo("b1");
        assertThat(r.json().path("results").path(0).path("source").asText()).isEqualTo("/chat/api");
        assertThat(usage("tokens", "acme")).isEqualTo("1200");
        JsonNode stored = t.get("/v1/events?customer=acme").json().path("events").path(0);
        assertThat(stored.path("type").asText()).isEqualTo("llm.tokens");
        assertThat(stored.path("time").asText()).isEqualTo(AN_HOUR_AGO.toInstant().toString());
        assertThat(stored.path("data").path("model").asText()).isEqualTo("big");
        // the same event again, in binary mode, is a duplicate: the same dedup identity as structured events
        assertThat(send(binary(tokens("b1", "acme", 1200))).json().path("duplicates").asInt()).isEqualTo(1);
    }

    @Test
    void acceptsTheSdksStructuredMode() throws Exception {
        Message m = structured(tokens("s1", "acme", 300));
        assertThat(m.headers().get("Content-Type")).startsWith("application/cloudevents+json");
        Reply r = send(m);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("accepted").asInt()).as("%s", r.json()).isEqualTo(1);
        assertThat(usage("tokens", "acme")).isEqualTo("300");
    }

    @Test
    void acceptsABatchOfTheSdksEventsAndDedupsAcrossModes() throws Exception {
        assertThat(send(binary(tokens("x1", "acme", 5))).json().path("accepted").asInt()).isEqualTo(1);
        Reply r = send(batch(List.of(tokens("x1", "acme", 5), tokens("x2", "acme", 7), tokens("x3", "globex", 11))));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("accepted").asInt()).as("%s", r.json()).isEqualTo(2);
        assertThat(r.json().path("duplicates").asInt()).isEqualTo(1);
        assertThat(usage("tokens", "acme")).isEqualTo("12");
        assertThat(usage("tokens", "globex")).isEqualTo("11");
    }

    @Test
    void anEventWithoutDataIsAcceptedInBinaryMode() throws Exception {
        CloudEvent call = CloudEventBuilder.v1().withId("c1").withSource(URI.create("gateway")).withType("api.call")
                .withSubject("acme").withTime(AN_HOUR_AGO).build();
        Message m = binary(call);
        assertThat(m.body()).isEmpty();
        Reply r = send(m);
        assertThat(r.json().path("accepted").asInt()).as("%s", r.json()).isEqualTo(1);
        assertThat(usage("calls", "acme")).isEqualTo("1");
    }

    @Test
    void binaryDataThatIsJsonButNotAnObjectIsRejectedAsInStructuredMode() throws Exception {
        CloudEvent array = CloudEventBuilder.v1(tokens("a1", "acme", 1)).withData("application/json",
                "[1,2,3]".getBytes(StandardCharsets.UTF_8)).build();
        Reply binary = send(binary(array));
        Reply structured = send(structured(CloudEventBuilder.v1(array).withId("a2").build()));
        for (Reply r : List.of(binary, structured)) {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().path("results").path(0).path("status").asText()).isEqualTo("rejected");
            assertThat(r.json().path("results").path(0).path("reason").asText()).isEqualTo("data_not_object");
        }
    }

    @Test
    void binaryDataThatIsNotJsonIsRefusedWith415AndNothingStored() throws Exception {
        CloudEvent text = CloudEventBuilder.v1(tokens("t1", "acme", 1))
                .withData("text/plain", "1200 tokens".getBytes(StandardCharsets.UTF_8)).build();
        Reply r = send(binary(text));
        assertThat(r.status()).isEqualTo(415);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().path("type").asText()).endsWith("/unsupported-media-type");
        assertThat(r.json().path("detail").asText()).contains("datacontenttype");
        assertThat(t.get("/v1/events?customer=acme").json().path("events")).isEmpty();
    }

    @Test
    void binaryDataThatIsNotValidJsonIsAMalformedBody() throws Exception {
        CloudEvent broken = CloudEventBuilder.v1(tokens("m1", "acme", 1))
                .withData("application/json", "{\"tokens\":".getBytes(StandardCharsets.UTF_8)).build();
        Reply r = send(binary(broken));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("type").asText()).endsWith("/malformed-body");
        Reply twoValues = send(new Message(binary(tokens("m2", "acme", 1)).headers(),
                "{\"tokens\":1}{\"tokens\":2}".getBytes(StandardCharsets.UTF_8)));
        assertThat(twoValues.status()).isEqualTo(400);
        Reply duplicateKey = send(new Message(binary(tokens("m3", "acme", 1)).headers(),
                "{\"tokens\":1,\"tokens\":2}".getBytes(StandardCharsets.UTF_8)));
        assertThat(duplicateKey.status()).isEqualTo(400);
        assertThat(duplicateKey.json().path("type").asText()).endsWith("/malformed-body");
        assertThat(t.get("/v1/events?customer=acme").json().path("events")).isEmpty();
    }

    @Test
    void decodesPercentEncodedHeaderValuesAndRefusesInvalidUtf8() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>(binary(tokens("p1", "x", 40)).headers());
        headers.put("ce-subject", "acme%20%C3%A9%F0%9F%98%80");
        Reply ok = send(new Message(headers, "{\"tokens\":40}".getBytes(StandardCharsets.UTF_8)));
        assertThat(ok.json().path("accepted").asInt()).as("%s", ok.json()).isEqualTo(1);
        assertThat(t.get("/v1/events?customer=acme%20%C3%A9%F0%9F%98%80").json().path("events").path(0)
                .path("subject").asText()).isEqualTo("acme \u00e9\uD83D\uDE00");
        headers.put("ce-id", "p2");
        headers.put("ce-subject", "acme%C0%A0");
        Reply overlong = send(new Message(headers, "{\"tokens\":40}".getBytes(StandardCharsets.UTF_8)));
        assertThat(overlong.json().path("results").path(0).path("reason").asText()).isEqualTo("invalid_attribute");
        assertThat(overlong.json().path("results").path(0).path("id").asText()).isEqualTo("p2");
    }

    @Test
    void aBinaryRequestWithoutSpecversionIsRejectedNotReadAsAStructuredEvent() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>(binary(tokens("v1", "acme", 9)).headers());
        headers.remove("ce-specversion");
        Reply r = send(new Message(headers, "{\"tokens\":9}".getBytes(StandardCharsets.UTF_8)));
        assertThat(r.json().path("results").path(0).path("id").asText()).isEqualTo("v1");
        assertThat(r.json().path("results").path(0).path("reason").asText()).isEqualTo("bad_specversion");
    }

    @Test
    void refusesDatacontenttypeAsAHeaderInBinaryMode() throws Exception {
        Map<String, String> headers = new LinkedHashMap<>(binary(tokens("d1", "acme", 9)).headers());
        headers.put("ce-datacontenttype", "application/json");
        Reply r = send(new Message(headers, "{\"tokens\":9}".getBytes(StandardCharsets.UTF_8)));
        assertThat(r.json().path("results").path(0).path("reason").asText()).isEqualTo("invalid_attribute");
        assertThat(r.json().path("results").path(0).path("detail").asText()).contains("Content-Type");
    }
}

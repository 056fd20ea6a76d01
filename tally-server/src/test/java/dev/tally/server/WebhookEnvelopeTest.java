package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.event;
import static dev.tally.server.BillingFixtures.ingest;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.BillingFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tally.engine.notify.WebhookEventTypes;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every webhook type Tally can send ({@link WebhookEventTypes#ALL}) is produced for real — billing, credit notes,
 * alerts, hard limits, the rejected-events summary, an endpoint disabled for failing — and each message received
 * is the documented envelope {@code {"type", "timestamp", "data"}} whose data has every field the OpenAPI
 * {@code webhooks} section requires; the section describes exactly those types; and the document is served at
 * {@code GET /openapi.yaml}.
 */
class WebhookEnvelopeTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");

    MutableClock clock;
    TestServer t;
    WebhookReceiver receiver;
    WebhookReceiver failing;
    int ids;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_1);
        t = new TestServer(clock);
        receiver = new WebhookReceiver();
        failing = new WebhookReceiver().otherwise(WebhookReceiver.Answer.status(500));
    }

    @AfterEach
    void stop() {
        failing.close();
        receiver.close();
        t.close();
    }

    static JsonNode spec() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(OpenApiContractTest.findSpec()));
    }

    void rejectedSummary() {
        ok(t.events("application/cloudevents+json", "{\"specversion\":\"1.0\",\"id\":\"bad" + (++ids)
                + "\",\"source\":\"s\",\"type\":\"api.call\"}"));
        assertThat(t.server.engine().webhooks().summarizeRejections()).isEqualTo(1);
    }

    /** Makes the engine record one message of every type it knows; returns what the catch-all endpoint got. */
    List<WebhookReceiver.Received> everyKindOfMessage() {
        created(t.post("/v1/webhook-endpoints", "{\"url\":\"" + receiver.url("/all") + "\"}"));
        created(t.post("/v1/webhook-endpoints", "{\"url\":\"" + failing.url("/down")
                + "\",\"event_types\":[\"events.rejected_summary\"]}"));
        ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
        created(t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                + "\"value_path\":\"tokens\"}"));
        created(t.post("/v1/plans", """
                {"key":"pro","currency":"USD","interval":"monthly","charges":[
                  {"key":"base","type":"flat","amount":"10.00","timing":"in_advance"},
                  {"key":"tokens","type":"usage","meter":"tokens","price":{"model":"unit","unit_price":"0.01"}}],
                 "features":[{"key":"tokens","type":"metered","meter":"tokens","limit":"1000","mode":"hard"}]}"""));
        for (String c : List.of("acme", "globex")) {
            created(t.post("/v1/customers", "{\"external_id\":\"" + c + "\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
            created(t.post("/v1/subscriptions", "{\"customer\":\"" + c + "\",\"plan\":\"pro\",\"start\":\"" + NOV_1 + "\"}"));
        }
        created(t.post("/v1/alerts", "{\"customer\":\"acme\",\"metric\":\"usage\",\"meter\":\"tokens\","
                + "\"thresholds\":[\"500\"]}"));
        assertThat(run(t).get("finalized").asInt()).isEqualTo(2);
        String acme = ok(t.get("/v1/invoices?customer=acme")).get("invoices").get(0).get("id").asText();
        String globex = ok(t.get("/v1/invoices?customer=globex")).get("invoices").get(0).get("id").asText();
        created(t.post("/v1/invoices/" + acme + "/payments",
                "{\"outcome\":\"failed\",\"amount\":\"10.00\",\"reference\":\"card-try-1\"}"));
        created(t.post("/v1/invoices/" + acme + "/payments",
                "{\"outcome\":\"succeeded\",\"amount\":\"10.00\",\"reference\":\"wire-1\"}"));
        ok(t.post("/v1/invoices/" + acme + "/mark-paid", ""));
        created(t.post("/v1/invoices/" + globex + "/payments",
                "{\"outcome\":\"failed\",\"amount\":\"10.00\",\"reference\":\"card-globex-1\"}"));
        // the retry button of a manual invoice: invoice.dunning_step and invoice.payment_reminder
        created(t.post("/v1/invoices/" + globex + "/payments/retry", ""));
        ok(t.post("/v1/invoices/" + globex + "/void", ""));
        created(t.post("/v1/credit-notes", "{\"invoice\":\"" + acme + "\",\"reason\":\"goodwill\"}"));
        // a prepaid wallet the usage below empties: wallet.balance_low (below 3.00) and wallet.depleted
        created(t.post("/v1/customers/acme/grants", "{\"amount\":\"5.00\",\"reason\":\"prepaid\"}"));
        created(t.post("/v1/alerts", "{\"customer\":\"acme\",\"metric\":\"balance\",\"thresholds\":[\"3.00\"]}"));
        ingest(t, List.of(event("tok1", "llm.tokens", "acme", clock.instant(), "{\"tokens\":1200}")));
        t.server.engine().evaluateAlerts();
        ingest(t, List.of(event("ghost1", "llm.tokens", "nobody", clock.instant(), "{\"tokens\":1}")));
        assertThat(t.server.engine().unmatchedSubjects().announceNew()).isEqualTo(1);
        // a duplicate storm: usage.anomaly_detected
        List<String> storm = new java.util.ArrayList<>();
        for (int i = 0; i < 600; i++) {
            storm.add(event("storm" + (i % 200), "llm.tokens", "globex", clock.instant(), "{\"tokens\":0}"));
        }
        ok(t.events("application/cloudevents-batch+json", "[" + String.join(",", storm) + "]"));
        t.server.engine().anomalies().evaluate();
        assertThat(ok(t.get("/v1/anomalies")).get("anomalies")).hasSize(1);

        // the failing endpoint's streak starts now; an attempt that fails when it is 5 days old disables it
        rejectedSummary();
        t.server.engine().webhooks().deliverDue();
        for (Duration later : List.of(Duration.ofDays(2), Duration.ofDays(5))) {
            moveTo(clock, NOV_1.plus(later));
            rejectedSummary();
            t.server.engine().webhooks().deliverDue();
        }
        t.server.engine().webhooks().deliverDue();
        return receiver.received("/all");
    }

    @Test
    void everyTypeTallySendsArrivesInTheEnvelopeTheSpecDescribes() throws Exception {
        JsonNode spec = spec();
        Map<String, WebhookReceiver.Received> firstOfType = new LinkedHashMap<>();
        for (WebhookReceiver.Received r : everyKindOfMessage()) {
            firstOfType.putIfAbsent(r.json().path("type").asText(), r);
        }

        assertThat(new TreeSet<>(firstOfType.keySet())).as("a message of every type was produced and received")
                .isEqualTo(new TreeSet<>(WebhookEventTypes.ALL));
        Set<String> described = new TreeSet<>();
        spec.path("webhooks").fieldNames().forEachRemaining(described::add);
        assertThat(described).as("the OpenAPI webhooks section describes every type, and only those")
                .isEqualTo(new TreeSet<>(WebhookEventTypes.ALL));

        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, WebhookReceiver.Received> e : firstOfType.entrySet()) {
            String type = e.getKey();
            JsonNode body = e.getValue().json();
            List<String> keys = new ArrayList<>();
            body.fieldNames().forEachRemaining(keys::add);
            if (!new TreeSet<>(keys).equals(new TreeSet<>(List.of("type", "timestamp", "data")))) {
                problems.add(type + ": the body's keys are " + keys + ", not type, timestamp, data");
            }
            try {
                Instant.parse(body.path("timestamp").asText());
            } catch (RuntimeException notATime) {
                problems.add(type + ": timestamp " + body.path("timestamp") + " is not an RFC 3339 instant");
            }
            if (!body.path("data").isObject()) {
                problems.add(type + ": data is not an object");
                continue;
            }
            if (!e.getValue().id().startsWith("msg_")) {
                problems.add(type + ": webhook-id " + e.getValue().id());
            }
            JsonNode envelope = spec.path("webhooks").path(type).path("post").path("requestBody").path("content")
                    .path("application/json").path("schema");
            if (!type.equals(envelope.path("properties").path("type").path("const").asText())) {
                problems.add(type + ": the spec's envelope does not fix type to " + type);
            }
            JsonNode data = resolve(spec, envelope.path("properties").path("data"));
            for (JsonNode field : data.path("required")) {
                if (!body.get("data").has(field.asText())) {
                    problems.add(type + ": data lacks the required field " + field.asText() + " (" + body.get("data") + ")");
                }
            }
            for (Iterator<String> it = body.get("data").fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!data.path("properties").has(field)) {
                    problems.add(type + ": data field " + field + " is not described in the spec");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    static JsonNode resolve(JsonNode spec, JsonNode schema) {
        String ref = schema.path("$ref").asText("");
        if (ref.isEmpty()) {
            return schema;
        }
        JsonNode at = spec;
        for (String part : ref.substring(2).split("/")) {
            at = at.path(part);
        }
        return at;
    }

    @Test
    void theSpecIsServedWithoutAKeyFromTheClasspathCopyOfDocsOpenapiYaml() throws Exception {
        TestServer.Reply r = t.send("GET", "/openapi.yaml", null, null, null);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/yaml");
        assertThat(r.body()).isEqualTo(Files.readString(OpenApiContractTest.findSpec()));
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(OpenApiDocument.RESOURCE)) {
            assertThat(in).as("the build put docs/openapi.yaml on the classpath").isNotNull();
        }
        assertThat(new ObjectMapper(new YAMLFactory()).readTree(r.body()).path("webhooks").isObject()).isTrue();
    }
}

package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One started server, driven only over HTTP the way outside clients drive it: an event in CloudEvents binary mode
 * (the official SDK's default), an OpenMeter-style batch on {@code /api/v1/events}, a misspelt filter refused
 * instead of answering with everyone's events, and the usage alert those events cross delivered by the server's
 * own schedule in the documented webhook envelope, signed as Standard Webhooks says.
 */
class ClientsFromOutsideEndToEndTest {
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final ObjectMapper mapper = new ObjectMapper();

    @Test
    void binaryModeAndOpenMeterEventsAreCountedAMisspeltFilterIsRefusedAndTheCrossedAlertArrivesEnveloped()
            throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver();
                TestServer t = new TestServer(Clock.systemUTC(),
                        TestServer.WEBHOOKS.withDeliveryEvery(Duration.ofMillis(50)))) {
            created(t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                    + "\"value_path\":\"tokens\"}"));
            created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
            created(t.post("/v1/plans", "{\"key\":\"pro\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                    + "{\"key\":\"tokens\",\"type\":\"usage\",\"meter\":\"tokens\","
                    + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}]}"));
            OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(5).truncatedTo(ChronoUnit.SECONDS);
            created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"start\":\"" + start
                    + "\"}"));
            String secret = created(t.post("/v1/webhook-endpoints", "{\"url\":\"" + receiver.url("/hooks")
                    + "\",\"event_types\":[\"usage.threshold_crossed\"]}")).get("secret").asText();
            created(t.post("/v1/alerts", "{\"customer\":\"acme\",\"metric\":\"usage\",\"meter\":\"tokens\","
                    + "\"thresholds\":[\"1000\"]}"));
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);

            // 1. binary content mode, written by the CloudEvents SDK
            CloudEvent event = CloudEventBuilder.v1().withId("bin-1").withSource(URI.create("/chat"))
                    .withType("llm.tokens").withSubject("acme").withTime(now)
                    .withDataContentType("application/json")
                    .withData("{\"tokens\":700}".getBytes(StandardCharsets.UTF_8)).build();
            CloudEventsSdkTest.Message binary = CloudEventsSdkTest.binary(event);
            HttpRequest.Builder post = HttpRequest.newBuilder(t.uri("/v1/events"))
                    .header("Authorization", "Bearer " + TestServer.KEY)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(binary.body()));
            binary.headers().forEach(post::header);
            JsonNode answer = json(client.send(post.build(), HttpResponse.BodyHandlers.ofString()), 200);
            assertThat(answer.path("accepted").asInt()).as(answer.toString()).isEqualTo(1);

            // 2. the OpenMeter path: the same batch format under /api/v1
            String batch = "[{\"specversion\":\"1.0\",\"id\":\"om-1\",\"source\":\"/chat\",\"type\":\"llm.tokens\","
                    + "\"subject\":\"acme\",\"time\":\"" + now + "\",\"data\":{\"tokens\":400}}]";
            HttpResponse<String> openMeter = client.send(HttpRequest.newBuilder(t.uri("/api/v1/events"))
                    .header("Authorization", "Bearer " + TestServer.KEY)
                    .header("Content-Type", "application/cloudevents-batch+json")
                    .POST(HttpRequest.BodyPublishers.ofString(batch)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(openMeter.statusCode()).as(openMeter.body()).isBetween(200, 204);
            JsonNode usage = ok(t.get("/v1/meters/tokens/usage?customer=acme"));
            assertThat(usage.path("rows").get(0).path("value").asText()).isEqualTo("1100");

            // 3. a filter under the wrong name is an error naming it, not everyone's events
            HttpResponse<String> misspelt = client.send(HttpRequest.newBuilder(t.uri("/v1/events?subject=acme"))
                    .header("Authorization", "Bearer " + TestServer.KEY).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(misspelt.statusCode()).isEqualTo(400);
            assertThat(misspelt.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(misspelt.body()).contains("subject");

            // 4. 1,100 tokens crossed the 1,000 alert: the server evaluates and delivers on its own
            List<WebhookReceiver.Received> got = receiver.await(1, Duration.ofSeconds(20));
            assertThat(got).isNotEmpty();
            WebhookReceiver.Received crossed = got.get(0);
            new StandardWebhooksVerifier(secret).verify(crossed.headers(), crossed.body(), java.time.Instant.now());
            JsonNode body = crossed.json();
            assertThat(body.path("type").asText()).isEqualTo("usage.threshold_crossed");
            assertThat(body.has("timestamp")).isTrue();
            assertThat(body.path("data").path("customer").asText()).isEqualTo("acme");
            assertThat(body.path("data").toString()).contains("1000");
        }
    }

    JsonNode json(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return mapper.readTree(r.body());
    }
}

package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.engine.notify.WebhookSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Failing receivers: retries on the schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) as the clock moves,
 * every attempt in the delivery log, timeouts and redirects counted as failures (a redirect is never followed),
 * giving up, manual retries, and disabling an endpoint that has failed for five days.
 */
class WebhookRetryTest {
    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    static final List<Duration> SCHEDULE = List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30),
            Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10));

    MutableClock clock;
    TestServer t;
    WebhookReceiver receiver;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(T0);
        // a short request timeout keeps the timeout case fast; everything else is as in production
        t = new TestServer(clock, TestServer.WEBHOOKS.withRequestTimeout(Duration.ofSeconds(1)));
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void stop() {
        receiver.close();
        t.close();
    }

    JsonNode endpoint(WebhookReceiver r, String path, String... types) {
        String list = types.length == 0 ? "" : "\"" + String.join("\",\"", types) + "\"";
        return created(t.post("/v1/webhook-endpoints", "{\"url\":\"" + r.url(path) + "\",\"event_types\":[" + list + "]}"));
    }

    int deliver() {
        return t.server.engine().webhooks().deliverDue();
    }

    /** One message: a rejected event, summarized. */
    void oneMessage() {
        ok(t.events("application/cloudevents+json", "{\"specversion\":\"1.0\",\"id\":\"x" + clock.instant().toEpochMilli()
                + "\",\"source\":\"s\",\"type\":\"api.call\"}"));
        assertThat(t.server.engine().webhooks().summarizeRejections()).isEqualTo(1);
    }

    JsonNode onlyDelivery(String endpointId) {
        JsonNode list = ok(t.get("/v1/webhook-deliveries?endpoint=" + endpointId)).get("deliveries");
        assertThat(list).hasSize(1);
        return list.get(0);
    }

    @Test
    void aFailingReceiverIsRetriedOnTheScheduleAndTheLogShowsEveryAttempt() {
        receiver.then(WebhookReceiver.Answer.status(500), WebhookReceiver.Answer.hang(),
                WebhookReceiver.Answer.redirect(receiver.url("/elsewhere")), WebhookReceiver.Answer.status(204));
        JsonNode ep = endpoint(receiver, "/hooks");
        String id = ep.get("id").asText();
        StandardWebhooksVerifier verifier = new StandardWebhooksVerifier(ep.get("secret").asText());
        oneMessage();

        assertThat(deliver()).isEqualTo(1);
        JsonNode d = onlyDelivery(id);
        assertThat(d.get("status").asText()).isEqualTo("pending");
        assertThat(d.get("next_attempt_at").asText()).isEqualTo(T0.plusSeconds(5).toString());

        Instant at = T0;
        for (int attempt = 2; attempt <= 4; attempt++) {
            Instant due = at.plus(SCHEDULE.get(attempt - 2));
            moveTo(clock, due.minusSeconds(1));
            assertThat(deliver()).as("not due before " + due).isZero();
            moveTo(clock, due);
            assertThat(deliver()).isEqualTo(1);
            WebhookReceiver.Received last = receiver.received("/hooks").get(attempt - 1);
            verifier.verify(last.headers(), last.body(), clock.instant());
            at = due;
        }

        d = onlyDelivery(id);
        assertThat(d.get("status").asText()).isEqualTo("succeeded");
        assertThat(d.get("next_attempt_at").isNull()).isTrue();
        assertThat(d.get("attempt_count").asInt()).isEqualTo(4);
        JsonNode attempts = d.get("attempts");
        assertThat(attempts).hasSize(4);
        assertThat(attempts).extracting(a -> a.get("at").asText()).containsExactly(T0.toString(),
                T0.plusSeconds(5).toString(), T0.plusSeconds(5).plus(SCHEDULE.get(1)).toString(),
                T0.plusSeconds(5).plus(SCHEDULE.get(1)).plus(SCHEDULE.get(2)).toString());
        assertThat(attempts.get(0).get("status_code").asInt()).isEqualTo(500);
        assertThat(attempts.get(1).get("status_code").isNull()).isTrue();
        assertThat(attempts.get(1).get("error").asText()).startsWith("timeout");
        assertThat(attempts.get(2).get("status_code").asInt()).isEqualTo(302);
        assertThat(attempts.get(2).get("error").asText()).contains("redirect not followed");
        assertThat(attempts.get(3).get("status_code").asInt()).isEqualTo(204);
        assertThat(attempts).extracting(a -> a.get("succeeded").asBoolean()).containsExactly(false, false, false, true);
        assertThat(attempts).extracting(a -> a.get("trigger").asText()).containsOnly("scheduled");

        List<WebhookReceiver.Received> got = receiver.received("/hooks");
        assertThat(got).hasSize(4);
        assertThat(got).extracting(WebhookReceiver.Received::id).containsOnly(d.get("message_id").asText());
        assertThat(got).extracting(r -> r.headers().get("webhook-timestamp")).doesNotHaveDuplicates();
        assertThat(receiver.received("/elsewhere")).as("the redirect is not followed").isEmpty();
        assertThat(deliver()).isZero();
    }

    @Test
    void aDeliveryGivesUpAfterTheLastScheduledAttemptAndCanBeRetriedByHand() {
        receiver.otherwise(WebhookReceiver.Answer.status(503));
        JsonNode ep = endpoint(receiver, "/hooks");
        String id = ep.get("id").asText();
        oneMessage();
        assertThat(deliver()).isEqualTo(1);
        Instant at = T0;
        for (Duration wait : SCHEDULE) {
            at = at.plus(wait);
            moveTo(clock, at);
            assertThat(deliver()).isEqualTo(1);
        }
        JsonNode d = onlyDelivery(id);
        assertThat(d.get("status").asText()).isEqualTo("failed");
        assertThat(d.get("attempt_count").asInt()).isEqualTo(8);
        assertThat(d.get("next_attempt_at").isNull()).isTrue();
        moveTo(clock, at.plus(Duration.ofDays(1)));
        assertThat(deliver()).as("given up").isZero();
        assertThat(ok(t.get("/v1/webhook-endpoints/" + id)).get("status").asText())
                .as("27.6 hours of failures do not disable an endpoint").isEqualTo("enabled");

        receiver.otherwise(WebhookReceiver.Answer.status(200));
        JsonNode retried = ok(t.post("/v1/webhook-deliveries/" + d.get("id").asText() + "/retry", ""));
        assertThat(retried.get("status").asText()).isEqualTo("succeeded");
        assertThat(retried.get("attempt_count").asInt()).isEqualTo(9);
        JsonNode last = retried.get("attempts").get(8);
        assertThat(last.get("trigger").asText()).isEqualTo("manual");
        assertThat(last.get("status_code").asInt()).isEqualTo(200);
        assertThat(last.get("at").asText()).isEqualTo(clock.instant().toString());
        List<WebhookReceiver.Received> got = receiver.received("/hooks");
        assertThat(got).hasSize(9);
        assertThat(got).extracting(WebhookReceiver.Received::id).containsOnly(d.get("message_id").asText());
        new StandardWebhooksVerifier(ep.get("secret").asText()).verify(got.get(8).headers(), got.get(8).body(),
                clock.instant());
        assertThat(ok(t.get("/v1/webhook-endpoints/" + id)).get("failing_since").isNull())
                .as("a success ends the failing streak").isTrue();
    }

    @Test
    void aManualRetryOfAPendingDeliveryLeavesItsScheduleAlone() {
        receiver.otherwise(WebhookReceiver.Answer.status(500));
        String id = endpoint(receiver, "/hooks").get("id").asText();
        oneMessage();
        deliver();
        String delivery = onlyDelivery(id).get("id").asText();
        moveTo(clock, T0.plusSeconds(2));
        JsonNode retried = ok(t.post("/v1/webhook-deliveries/" + delivery + "/retry", ""));
        assertThat(retried.get("attempt_count").asInt()).isEqualTo(2);
        assertThat(retried.get("status").asText()).isEqualTo("pending");
        assertThat(retried.get("next_attempt_at").asText()).isEqualTo(T0.plusSeconds(5).toString());
        assertThat(retried.get("attempts").get(1).get("trigger").asText()).isEqualTo("manual");
        moveTo(clock, T0.plusSeconds(5));
        assertThat(deliver()).isEqualTo(1);
        assertThat(onlyDelivery(id).get("next_attempt_at").asText())
                .isEqualTo(T0.plusSeconds(5).plus(SCHEDULE.get(1)).toString());
    }

    @Test
    void anEndpointFailingForFiveDaysIsDisabledAndTheTenantIsTold() throws Exception {
        try (WebhookReceiver watcher = new WebhookReceiver()) {
            receiver.otherwise(WebhookReceiver.Answer.status(500));
            JsonNode down = endpoint(receiver, "/down");
            String downId = down.get("id").asText();
            JsonNode watch = endpoint(watcher, "/watch", "webhook_endpoint.disabled");

            oneMessage();
            deliver();
            assertThat(ok(t.get("/v1/webhook-endpoints/" + downId)).get("failing_since").asText()).isEqualTo(T0.toString());
            for (Instant at : List.of(T0.plus(Duration.ofDays(2)), T0.plus(Duration.ofDays(5)).minusSeconds(60))) {
                moveTo(clock, at);
                oneMessage();
                deliver();
                assertThat(ok(t.get("/v1/webhook-endpoints/" + downId)).get("status").asText()).isEqualTo("enabled");
            }
            Instant fiveDays = T0.plus(Duration.ofDays(5));
            moveTo(clock, fiveDays);
            oneMessage();
            deliver();

            JsonNode ep = ok(t.get("/v1/webhook-endpoints/" + downId));
            assertThat(ep.get("status").asText()).isEqualTo("disabled");
            assertThat(ep.get("disabled_at").asText()).isEqualTo(fiveDays.toString());
            assertThat(ep.get("disabled_reason").asText()).contains(T0.toString()).contains("5 days");
            JsonNode log = ok(t.get("/v1/webhook-deliveries?endpoint=" + downId));
            assertThat(log.get("endpoint").get("status").asText()).isEqualTo("disabled");
            assertThat(log.get("deliveries")).extracting(d -> d.get("status").asText()).containsOnly("failed");

            // the tenant's other endpoint hears about it
            deliver();
            List<WebhookReceiver.Received> notices = watcher.received("/watch");
            assertThat(notices).hasSize(1);
            new StandardWebhooksVerifier(watch.get("secret").asText()).verify(notices.get(0).headers(),
                    notices.get(0).body(), clock.instant());
            JsonNode notice = notices.get(0).json();
            assertThat(notice.get("type").asText()).isEqualTo("webhook_endpoint.disabled");
            assertThat(notice.get("data").get("endpoint").asText()).isEqualTo(downId);
            assertThat(notice.get("data").get("failing_since").asText()).isEqualTo(T0.toString());

            // a disabled endpoint gets nothing, and its deliveries cannot be retried until it is enabled again
            int before = receiver.received("/down").size();
            oneMessage();
            moveTo(clock, fiveDays.plus(Duration.ofDays(1)));
            deliver();
            assertThat(receiver.received("/down")).hasSize(before);
            String someDelivery = log.get("deliveries").get(0).get("id").asText();
            TestServer.Reply refused = t.post("/v1/webhook-deliveries/" + someDelivery + "/retry", "");
            assertThat(refused.status()).isEqualTo(409);
            JsonNode enabled = ok(t.post("/v1/webhook-endpoints/" + downId + "/enable", ""));
            assertThat(enabled.get("status").asText()).isEqualTo("enabled");
            assertThat(enabled.get("failing_since").isNull()).isTrue();
            receiver.otherwise(WebhookReceiver.Answer.status(200));
            assertThat(ok(t.post("/v1/webhook-deliveries/" + someDelivery + "/retry", "")).get("status").asText())
                    .isEqualTo("succeeded");
        }
    }

    @Test
    void aSuccessInBetweenStartsANewFailingStreak() {
        String id = endpoint(receiver, "/hooks").get("id").asText();
        receiver.otherwise(WebhookReceiver.Answer.status(500));
        oneMessage();
        deliver();
        moveTo(clock, T0.plus(Duration.ofDays(3)));
        receiver.otherwise(WebhookReceiver.Answer.status(200));
        oneMessage();
        deliver();
        assertThat(ok(t.get("/v1/webhook-endpoints/" + id)).get("failing_since").isNull()).isTrue();
        receiver.otherwise(WebhookReceiver.Answer.status(500));
        moveTo(clock, T0.plus(Duration.ofDays(4)));
        oneMessage();
        deliver();
        moveTo(clock, T0.plus(Duration.ofDays(6)));
        oneMessage();
        deliver();
        JsonNode ep = ok(t.get("/v1/webhook-endpoints/" + id));
        assertThat(ep.get("status").asText()).isEqualTo("enabled");
        assertThat(ep.get("failing_since").asText()).isEqualTo(T0.plus(Duration.ofDays(4)).toString());
    }
}

package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.engine.notify.WebhookSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Signing secrets: rotation (both signatures, the new one first, for 24 hours; then only the new one), and the
 * address rules that keep webhooks away from private, loopback and other internal addresses.
 */
class WebhookSigningTest {
    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    static void oneMessage(TestServer t) {
        ok(t.events("application/cloudevents+json", "{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"s\",\"type\":\"t\"}"));
        assertThat(t.server.engine().webhooks().summarizeRejections()).isEqualTo(1);
    }

    /** The request's headers with only one of its signature entries. */
    static Map<String, String> withSignature(WebhookReceiver.Received r, String entry) {
        Map<String, String> h = new HashMap<>(r.headers());
        h.put("webhook-signature", entry);
        return h;
    }

    @Test
    void duringTheOverlapBothSecretsVerifyNewestFirstAndAfter24HoursOnlyTheNew() throws Exception {
        MutableClock clock = new MutableClock(T0);
        try (TestServer t = new TestServer(clock); WebhookReceiver receiver = new WebhookReceiver()) {
            JsonNode ep = created(t.post("/v1/webhook-endpoints", "{\"url\":\"" + receiver.url("/hooks") + "\"}"));
            String id = ep.get("id").asText();
            StandardWebhooksVerifier old = new StandardWebhooksVerifier(ep.get("secret").asText());
            oneMessage(t);
            t.server.engine().webhooks().deliverDue();
            WebhookReceiver.Received before = receiver.received().get(0);
            assertThat(before.headers().get("webhook-signature").split(" ")).hasSize(1);
            old.verify(before.headers(), before.body(), clock.instant());

            moveTo(clock, T0.plus(Duration.ofHours(1)));
            Instant rotatedAt = clock.instant();
            JsonNode rotated = ok(t.post("/v1/webhook-endpoints/" + id + "/rotate-secret", ""));
            String newSecret = rotated.get("secret").asText();
            assertThat(newSecret).startsWith("whsec_").isNotEqualTo(ep.get("secret").asText());
            assertThat(rotated.get("previous_secret_expires_at").asText())
                    .isEqualTo(rotatedAt.plus(Duration.ofHours(24)).toString());
            assertThat(ok(t.get("/v1/webhook-endpoints/" + id)).has("secret")).isFalse();
            StandardWebhooksVerifier fresh = new StandardWebhooksVerifier(newSecret);

            for (Instant at : List.of(rotatedAt, rotatedAt.plus(Duration.ofHours(24)).minusSeconds(1))) {
                moveTo(clock, at);
                oneMessage(t);
                t.server.engine().webhooks().deliverDue();
                List<WebhookReceiver.Received> got = receiver.received();
                WebhookReceiver.Received r = got.get(got.size() - 1);
                String[] entries = r.headers().get("webhook-signature").split(" ");
                assertThat(entries).hasSize(2);
                assertThat(fresh.verifies(withSignature(r, entries[0]), r.body(), clock.instant()))
                        .as("the new secret signs first").isTrue();
                assertThat(old.verifies(withSignature(r, entries[1]), r.body(), clock.instant()))
                        .as("the old secret still signs during the overlap").isTrue();
                assertThat(old.verifies(r.headers(), r.body(), clock.instant())).isTrue();
                assertThat(fresh.verifies(r.headers(), r.body(), clock.instant())).isTrue();
            }

            moveTo(clock, rotatedAt.plus(Duration.ofHours(24)));
            oneMessage(t);
            t.server.engine().webhooks().deliverDue();
            List<WebhookReceiver.Received> got = receiver.received();
            WebhookReceiver.Received after = got.get(got.size() - 1);
            assertThat(after.headers().get("webhook-signature").split(" ")).hasSize(1);
            assertThat(fresh.verifies(after.headers(), after.body(), clock.instant())).isTrue();
            assertThat(old.verifies(after.headers(), after.body(), clock.instant())).isFalse();
            // and the verifier itself refuses a tampered body and a stale timestamp
            byte[] tampered = after.text().replace("rejected", "accepted").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertThat(fresh.verifies(after.headers(), tampered, clock.instant())).isFalse();
            assertThat(fresh.verifies(after.headers(), after.body(), clock.instant().plus(Duration.ofMinutes(6)))).isFalse();
        }
    }

    @Test
    void privateLoopbackLinkLocalAndOtherInternalAddressesAreRefusedUnlessAllowed() throws Exception {
        MutableClock clock = new MutableClock(T0);
        try (TestServer t = new TestServer(clock, WebhookSettings.MANUAL);
                WebhookReceiver receiver = new WebhookReceiver()) {
            List<String> refused = List.of(receiver.url("/hooks"), "http://localhost:8080/hooks", "http://10.1.2.3/",
                    "http://172.16.0.1/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data",
                    "http://0.0.0.0/", "http://[::1]/", "http://[fe80::1]/", "http://[fd00::1]/", "http://[::]/",
                    "http://224.0.0.1/", "http://[::ffff:127.0.0.1]/", "http://100.64.0.1/",
                    "ftp://93.184.216.34/", "file:///etc/passwd", "http://user:pw@93.184.216.34/");
            for (String url : refused) {
                TestServer.Reply r = t.post("/v1/webhook-endpoints", "{\"url\":\"" + url + "\"}");
                assertThat(r.status()).as(url + ": " + r.body()).isEqualTo(400);
                assertThat(r.json().get("errors").get(0).get("field").asText()).isEqualTo("url");
            }
            assertThat(ok(t.get("/v1/webhook-endpoints")).get("webhook_endpoints")).isEmpty();
            TestServer.Reply loopback = t.post("/v1/webhook-endpoints", "{\"url\":\"" + receiver.url("/hooks") + "\"}");
            assertThat(loopback.json().get("detail").asText()).contains("loopback");
            // a public address is accepted (an IP literal: no DNS needed here)
            created(t.post("/v1/webhook-endpoints", "{\"url\":\"https://93.184.216.34/hooks\"}"));
        }
    }
}

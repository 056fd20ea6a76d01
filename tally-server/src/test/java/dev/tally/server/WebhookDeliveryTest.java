package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.BillingFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.engine.Engine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Webhooks end to end over HTTP: endpoints and their secrets, invoice and credit note messages recorded in the
 * billing transactions and delivered once each, in order, signed per Standard Webhooks (checked by an
 * independent verifier), type filters, the transactional outbox under a rollback, and the rejected-events
 * summary.
 */
class WebhookDeliveryTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");

    MutableClock clock;
    TestServer t;
    WebhookReceiver receiver;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_1);
        t = new TestServer(clock);
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void stop() {
        receiver.close();
        t.close();
    }

    JsonNode endpoint(String path, String... types) {
        String list = types.length == 0 ? "" : "\"" + String.join("\",\"", types) + "\"";
        return created(t.post("/v1/webhook-endpoints", "{\"url\":\"" + receiver.url(path) + "\",\"event_types\":["
                + list + "],\"description\":\"test receiver\"}"));
    }

    int deliver() {
        return t.server.engine().webhooks().deliverDue();
    }

    /** Every request verifies with the secret, now, and carries the JSON content type. */
    void assertSigned(List<WebhookReceiver.Received> requests, String secret) {
        StandardWebhooksVerifier verifier = new StandardWebhooksVerifier(secret);
        for (WebhookReceiver.Received r : requests) {
            verifier.verify(r.headers(), r.body(), clock.instant());
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.headers().get("content-type")).isEqualTo("application/json");
            assertThat(r.headers().get("webhook-timestamp")).isEqualTo(Long.toString(clock.instant().getEpochSecond()));
        }
    }

    /** Two customers on a 10.00 in-advance plan, grace 0: one run creates and finalizes both invoices. */
    List<String> twoFinalizedInvoices() {
        ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
        created(t.post("/v1/plans", "{\"key\":\"flat\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base fee\",\"amount\":\"10.00\",\"timing\":\"in_advance\"}]}"));
        List<String> ids = new ArrayList<>();
        for (String c : List.of("acme", "globex")) {
            created(t.post("/v1/customers", "{\"external_id\":\"" + c + "\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
            created(t.post("/v1/subscriptions", "{\"customer\":\"" + c + "\",\"plan\":\"flat\",\"start\":\"" + NOV_1 + "\"}"));
        }
        assertThat(run(t).get("finalized").asInt()).isEqualTo(2);
        for (String c : List.of("acme", "globex")) {
            ids.add(ok(t.get("/v1/invoices?customer=" + c)).get("invoices").get(0).get("id").asText());
        }
        return ids;
    }

    static List<String> typesAbout(List<WebhookReceiver.Received> requests, String invoiceId) {
        List<String> out = new ArrayList<>();
        for (WebhookReceiver.Received r : requests) {
            JsonNode data = r.json().get("data");
            if (invoiceId.equals(data.path("id").asText()) || invoiceId.equals(data.path("invoice").asText())) {
                out.add(r.type());
            }
        }
        return out;
    }

    @Test
    void invoiceAndCreditNoteMessagesArriveOnceEachInOrderAndVerify() {
        JsonNode ep = endpoint("/hooks");
        String secret = ep.get("secret").asText();
        List<String> invoices = twoFinalizedInvoices();
        String acme = invoices.get(0);
        String globex = invoices.get(1);
        ok(t.post("/v1/invoices/" + acme + "/mark-paid", ""));
        ok(t.post("/v1/invoices/" + globex + "/void", ""));
        JsonNode note = created(t.post("/v1/credit-notes", "{\"invoice\":\"" + acme + "\",\"reason\":\"goodwill\"}"));

        assertThat(deliver()).isEqualTo(7);
        List<WebhookReceiver.Received> got = receiver.received("/hooks");
        assertThat(got).hasSize(7);
        assertSigned(got, secret);
        assertThat(typesAbout(got, acme)).containsExactly("invoice.created", "invoice.finalized", "invoice.paid",
                "credit_note.created");
        assertThat(typesAbout(got, globex)).containsExactly("invoice.created", "invoice.finalized", "invoice.voided");
        Set<String> ids = new HashSet<>();
        got.forEach(r -> ids.add(r.id()));
        assertThat(ids).as("one webhook-id per message").hasSize(7);

        // the Standard Webhooks payload shape, with the invoice as the transaction saw it
        JsonNode createdMsg = got.stream().filter(r -> r.type().equals("invoice.created")
                && r.json().get("data").get("id").asText().equals(acme)).findFirst().orElseThrow().json();
        assertThat(createdMsg.get("timestamp").asText()).isEqualTo(NOV_1.toString());
        assertThat(createdMsg.get("data").get("status").asText()).isEqualTo("draft");
        assertThat(createdMsg.get("data").get("number").isNull()).isTrue();
        JsonNode finalized = got.stream().filter(r -> r.type().equals("invoice.finalized")
                && r.json().get("data").get("id").asText().equals(acme)).findFirst().orElseThrow().json().get("data");
        assertThat(finalized.get("status").asText()).isEqualTo("finalized");
        assertThat(finalized.get("number").asText()).startsWith("INV-");
        assertThat(finalized.get("customer").asText()).isEqualTo("acme");
        assertThat(finalized.get("total").asText()).isEqualTo("10.00");
        assertThat(finalized.get("currency").asText()).isEqualTo("USD");
        assertThat(finalized.get("period_start").asText()).isEqualTo(NOV_1.toString());
        assertThat(finalized.get("period_end").asText()).isEqualTo("2026-12-01T00:00:00Z");
        JsonNode cn = got.stream().filter(r -> r.type().equals("credit_note.created")).findFirst().orElseThrow()
                .json().get("data");
        assertThat(cn.get("id").asText()).isEqualTo(note.get("id").asText());
        assertThat(cn.get("number").asText()).isEqualTo(note.get("number").asText());
        assertThat(cn.get("total").asText()).isEqualTo("10.00");
        assertThat(cn.get("reason").asText()).isEqualTo("goodwill");

        // once each: nothing more to send, and the log shows one successful attempt per message
        assertThat(deliver()).isZero();
        assertThat(receiver.received()).hasSize(7);
        JsonNode log = ok(t.get("/v1/webhook-deliveries?endpoint=" + ep.get("id").asText()));
        assertThat(log.get("endpoint").get("id").asText()).isEqualTo(ep.get("id").asText());
        assertThat(log.get("deliveries")).hasSize(7);
        for (JsonNode d : log.get("deliveries")) {
            assertThat(d.get("status").asText()).isEqualTo("succeeded");
            assertThat(d.get("attempt_count").asInt()).isEqualTo(1);
            assertThat(d.get("next_attempt_at").isNull()).isTrue();
            assertThat(d.get("attempts").get(0).get("status_code").asInt()).isEqualTo(200);
            assertThat(ids).contains(d.get("message_id").asText());
        }
    }

    @Test
    void anEndpointReceivesOnlyTheTypesItAskedFor() {
        endpoint("/all");
        String paidOnly = endpoint("/paid", "invoice.paid").get("secret").asText();
        String acme = twoFinalizedInvoices().get(0);
        ok(t.post("/v1/invoices/" + acme + "/mark-paid", ""));
        deliver();
        assertThat(receiver.received("/all")).hasSize(5);
        List<WebhookReceiver.Received> paid = receiver.received("/paid");
        assertThat(paid).extracting(WebhookReceiver.Received::type).containsExactly("invoice.paid");
        assertSigned(paid, paidOnly);
    }

    @Test
    void aBillingTransactionThatRollsBackRecordsNoMessage() {
        endpoint("/hooks");
        String acme = twoFinalizedInvoices().get(0);
        assertThat(deliver()).isEqualTo(4);
        var billing = t.server.engine().billing();
        assertThatThrownBy(() -> billing.inOneTransaction(() -> {
            billing.markPaid(Engine.DEFAULT_TENANT, acme);
            throw new IllegalStateException("simulated failure after marking the invoice paid");
        })).hasMessageContaining("simulated failure");
        assertThat(ok(t.get("/v1/invoices/" + acme)).get("status").asText()).isEqualTo("finalized");
        assertThat(deliver()).isZero();
        assertThat(receiver.received()).extracting(WebhookReceiver.Received::type).doesNotContain("invoice.paid");

        ok(t.post("/v1/invoices/" + acme + "/mark-paid", ""));
        assertThat(deliver()).isEqualTo(1);
        assertThat(receiver.received()).extracting(WebhookReceiver.Received::type).containsOnlyOnce("invoice.paid");
    }

    @Test
    void rejectedEventsAreSummarizedPerTenantByReason() {
        String secret = endpoint("/hooks", "events.rejected_summary").get("secret").asText();
        String batch = "[{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"s\",\"type\":\"api.call\"},"
                + "{\"specversion\":\"1.0\",\"id\":\"e2\",\"source\":\"s\",\"type\":\"api.call\",\"subject\":\"acme\","
                + "\"time\":\"yesterday\"},"
                + "{\"specversion\":\"1.0\",\"id\":\"e3\",\"source\":\"s\",\"type\":\"api.call\",\"subject\":\"acme\","
                + "\"time\":\"noon\"},"
                + "{\"specversion\":\"1.0\",\"id\":\"e4\",\"source\":\"s\",\"type\":\"api.call\",\"subject\":\"acme\"}]";
        JsonNode r = ok(t.events("application/cloudevents-batch+json", batch));
        assertThat(r.get("rejected").asInt()).isEqualTo(3);
        clock.advance(java.time.Duration.ofHours(1));
        assertThat(t.server.engine().webhooks().summarizeRejections()).isEqualTo(1);
        assertThat(deliver()).isEqualTo(1);
        List<WebhookReceiver.Received> got = receiver.received("/hooks");
        assertSigned(got, secret);
        JsonNode data = got.get(0).json().get("data");
        assertThat(got.get(0).type()).isEqualTo("events.rejected_summary");
        assertThat(data.get("total").asLong()).isEqualTo(3);
        assertThat(data.get("by_reason").get("missing_subject").asLong()).isEqualTo(1);
        assertThat(data.get("by_reason").get("bad_time").asLong()).isEqualTo(2);
        assertThat(data.get("from").asText()).isEqualTo(NOV_1.toString());
        assertThat(data.get("to").asText()).isEqualTo(NOV_1.plusSeconds(3600).toString());
        // no rejections since: no summary
        assertThat(t.server.engine().webhooks().summarizeRejections()).isZero();
    }

    @Test
    void inProductionTheEngineDeliversOnItsOwnSchedule() throws Exception {
        try (TestServer live = new TestServer(java.time.Clock.systemUTC(),
                TestServer.WEBHOOKS.withDeliveryEvery(java.time.Duration.ofMillis(50)))) {
            String secret = created(live.post("/v1/webhook-endpoints", "{\"url\":\"" + receiver.url("/live")
                    + "\"}")).get("secret").asText();
            ok(live.events("application/cloudevents+json",
                    "{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"s\",\"type\":\"t\"}"));
            assertThat(live.server.engine().webhooks().summarizeRejections()).isEqualTo(1);
            List<WebhookReceiver.Received> got = receiver.await(1, java.time.Duration.ofSeconds(10));
            assertThat(got).extracting(WebhookReceiver.Received::type).containsExactly("events.rejected_summary");
            new StandardWebhooksVerifier(secret).verify(got.get(0).headers(), got.get(0).body(), Instant.now());
        }
    }

    @Test
    void endpointsShowTheirSecretOnceAndValidateWhatTheyAreGiven() {
        JsonNode ep = endpoint("/hooks", "invoice.paid", "invoice.voided");
        String secret = ep.get("secret").asText();
        assertThat(secret).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSizeGreaterThanOrEqualTo(24);
        assertThat(ep.get("status").asText()).isEqualTo("enabled");
        assertThat(ep.get("event_types")).extracting(JsonNode::asText).containsExactly("invoice.paid", "invoice.voided");
        String id = ep.get("id").asText();
        JsonNode fetched = ok(t.get("/v1/webhook-endpoints/" + id));
        assertThat(fetched.has("secret")).isFalse();
        assertThat(fetched.get("url").asText()).isEqualTo(receiver.url("/hooks"));
        assertThat(fetched.get("description").asText()).isEqualTo("test receiver");
        JsonNode list = ok(t.get("/v1/webhook-endpoints"));
        assertThat(list.get("webhook_endpoints")).hasSize(1);
        assertThat(list.get("webhook_endpoints").get(0).has("secret")).isFalse();

        TestServer.Reply unknown = t.post("/v1/webhook-endpoints", "{\"url\":\"" + receiver.url("/x")
                + "\",\"event_types\":[\"invoice.payed\"]}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("errors").get(0).get("field").asText()).isEqualTo("event_types[0]");
        assertThat(t.post("/v1/webhook-endpoints", "{\"event_types\":[]}").status()).isEqualTo(400);
        assertThat(t.post("/v1/webhook-endpoints", "{\"url\":\"ftp://example.com/x\"}").status()).isEqualTo(400);
        assertThat(t.post("/v1/webhook-endpoints", "{\"url\":\"/relative\"}").status()).isEqualTo(400);
        assertThat(t.post("/v1/webhook-endpoints", "{\"url\":").status()).isEqualTo(400);
        // absent event_types: every type
        JsonNode all = created(t.post("/v1/webhook-endpoints", "{\"url\":\"" + receiver.url("/all") + "\"}"));
        assertThat(all.get("event_types")).isEmpty();

        assertThat(t.send("DELETE", "/v1/webhook-endpoints/" + id, null, null, TestServer.KEY).status()).isEqualTo(204);
        assertThat(t.get("/v1/webhook-endpoints/" + id).status()).isEqualTo(404);
        assertThat(t.send("DELETE", "/v1/webhook-endpoints/" + id, null, null, TestServer.KEY).status()).isEqualTo(404);
        assertThat(t.get("/v1/webhook-deliveries?endpoint=" + id).status()).isEqualTo(404);
        assertThat(t.post("/v1/webhook-deliveries/whd_nope/retry", "").status()).isEqualTo(404);
        String acme = twoFinalizedInvoices().get(0);
        ok(t.post("/v1/invoices/" + acme + "/mark-paid", ""));
        deliver();
        assertThat(receiver.received("/hooks")).as("a deleted endpoint receives nothing").isEmpty();
        assertThat(receiver.received("/all")).hasSize(5);
    }
}

package dev.tally.server.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stripe's webhooks: only a correctly signed, recent event is applied, each event id once; the five mapped types
 * become payment facts; an older event never moves an invoice back; the route needs no API key but nothing else
 * does without one.
 */
class StripeWebhooksTest {
    StripeFixture f;
    String invoice;

    @BeforeEach
    void pushed() throws Exception {
        f = new StripeFixture();
        f.connect();
        JsonNode inv = f.finalizedInvoice("USD", "100.00", "10");
        invoice = inv.get("id").asText();
        f.stub.happyPush(invoice, "usd", 11000);
        assertThat(f.stripe().pushDue()).isEqualTo(1);
        f.clock.advance(Duration.ofHours(1));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    String paidInvoice() {
        return StripeStub.invoice("paid", "usd", 11000, 11000, invoice, null);
    }

    String intent(String status, long amount, long received, String error) {
        return "{\"id\":\"" + StripeStub.PAYMENT_INTENT + "\",\"object\":\"payment_intent\",\"amount\":" + amount
                + ",\"amount_received\":" + received + ",\"currency\":\"usd\",\"customer\":\"" + StripeStub.CUSTOMER
                + "\",\"latest_charge\":\"" + StripeStub.CHARGE + "\",\"livemode\":false,\"metadata\":{},"
                + "\"last_payment_error\":" + (error == null ? "null" : "{\"code\":\"card_declined\",\"decline_code\":"
                + "\"insufficient_funds\",\"message\":\"" + error + "\",\"type\":\"card_error\"}") + ",\"status\":\""
                + status + "\"}";
    }

    String charge(long refunded) {
        return "{\"id\":\"" + StripeStub.CHARGE + "\",\"object\":\"charge\",\"amount\":11000,\"amount_captured\":11000,"
                + "\"amount_refunded\":" + refunded + ",\"captured\":true,\"currency\":\"usd\",\"customer\":\""
                + StripeStub.CUSTOMER + "\",\"livemode\":false,\"metadata\":{},\"paid\":true,\"payment_intent\":\""
                + StripeStub.PAYMENT_INTENT + "\",\"refunded\":" + (refunded == 11000) + ",\"status\":\"succeeded\"}";
    }

    JsonNode state() {
        return f.payments(invoice);
    }

    @Test
    void aSignedInvoicePaidMakesTheInvoicePaidOnceAndAReplayChangesNothing() {
        String body = StripeFixture.event("evt_paid_1", "invoice.paid", f.clock.instant(), paidInvoice());
        StripeFixture.Reply r = f.webhook(body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("duplicate").asBoolean()).isFalse();
        JsonNode s = state();
        assertThat(s.get("payment_status").asText()).isEqualTo("succeeded");
        assertThat(s.get("amount_paid").asText()).isEqualTo("110.00");
        assertThat(s.get("payments")).hasSize(1);
        JsonNode fact = s.get("payments").get(0);
        assertThat(fact.get("provider").asText()).isEqualTo("stripe");
        assertThat(fact.get("reference").asText()).isEqualTo(StripeStub.INVOICE + "/paid");

        StripeFixture.Reply replay = f.webhook(body);
        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.json().get("duplicate").asBoolean()).isTrue();
        // the same payment told again by payment_intent.succeeded is the same fact
        assertThat(f.webhook(StripeFixture.event("evt_pi_ok", "payment_intent.succeeded", f.clock.instant(),
                intent("succeeded", 11000, 11000, null))).status()).isEqualTo(200);
        assertThat(state().get("payments")).hasSize(1);
        assertThat(state().get("amount_paid").asText()).isEqualTo("110.00");
    }

    @Test
    void aWrongSignatureAnOldTimestampAndAMissingHeaderAreRefusedAndRecordNothing() {
        String body = StripeFixture.event("evt_paid_2", "invoice.paid", f.clock.instant(), paidInvoice());
        StripeFixture.Reply wrongSecret = f.webhook(body, StripeFixture.sign(body, "whsec_notTheTenantsSecret00",
                f.clock.instant()));
        assertThat(wrongSecret.status()).isEqualTo(400);
        assertThat(wrongSecret.json().get("type").asText()).endsWith("invalid-signature");
        StripeFixture.Reply altered = f.webhook(body.replace("11000", "11001"), StripeFixture.sign(body,
                StripeFixture.WEBHOOK_SECRET, f.clock.instant()));
        assertThat(altered.status()).isEqualTo(400);
        StripeFixture.Reply old = f.webhook(body, StripeFixture.sign(body, StripeFixture.WEBHOOK_SECRET,
                f.clock.instant().minusSeconds(301)));
        assertThat(old.status()).isEqualTo(400);
        StripeFixture.Reply none = f.send("POST", "/v1/providers/stripe/webhooks/default", body,
                java.util.Map.of("Content-Type", "application/json"));
        assertThat(none.status()).isEqualTo(400);
        assertThat(state().get("payments")).isEmpty();
        // within the tolerance it is accepted: the refusals above were about the signature only
        StripeFixture.Reply recent = f.webhook(body, StripeFixture.sign(body, StripeFixture.WEBHOOK_SECRET,
                f.clock.instant().minusSeconds(299)));
        assertThat(recent.status()).isEqualTo(200);
        assertThat(state().get("payment_status").asText()).isEqualTo("succeeded");
        // a replay of the accepted event later is refused by its timestamp, and would be a duplicate anyway
        f.clock.advance(Duration.ofMinutes(10));
        assertThat(f.webhook(body, StripeFixture.sign(body, StripeFixture.WEBHOOK_SECRET,
                f.clock.instant().minusSeconds(600))).status()).isEqualTo(400);
        assertThat(state().get("payments")).hasSize(1);
    }

    @Test
    void anUnknownTenantIsNotFoundAndNoOtherApiRouteGoesWithoutAKey() {
        String body = StripeFixture.event("evt_x", "invoice.paid", f.clock.instant(), paidInvoice());
        StripeFixture.Reply r = f.send("POST", "/v1/providers/stripe/webhooks/globex", body, java.util.Map.of(
                "Stripe-Signature", StripeFixture.sign(body, StripeFixture.WEBHOOK_SECRET, f.clock.instant())));
        assertThat(r.status()).isEqualTo(404);
        assertThat(f.send("GET", "/v1/providers/stripe", null, java.util.Map.of()).status()).isEqualTo(401);
        assertThat(f.send("PUT", "/v1/providers/stripe", "{}", java.util.Map.of()).status()).isEqualTo(401);
    }

    @Test
    void aFailedAttemptOlderThanThePaymentArrivingLateNeverMovesTheInvoiceBack() {
        Instant failedAt = f.clock.instant().minusSeconds(120);
        assertThat(f.webhook(StripeFixture.event("evt_paid_3", "invoice.paid", f.clock.instant(), paidInvoice()))
                .status()).isEqualTo(200);
        // the failure happened first but arrives second (the event is signed now, as Stripe signs a retry)
        StripeFixture.Reply late = f.webhook(StripeFixture.event("evt_fail_old", "payment_intent.payment_failed",
                failedAt, intent("requires_payment_method", 11000, 0, "Your card has insufficient funds.")));
        assertThat(late.status()).isEqualTo(200);
        JsonNode s = state();
        assertThat(s.get("payment_status").asText()).isEqualTo("succeeded");
        assertThat(s.get("payments")).hasSize(2);
    }

    @Test
    void aFailedPaymentThenRefundsInAnyOrderThenADisputeMoveThePaymentStatus() {
        StripeFixture.Reply failed = f.webhook(StripeFixture.event("evt_fail", "payment_intent.payment_failed",
                f.clock.instant(), intent("requires_payment_method", 11000, 0, "Your card was declined.")));
        assertThat(failed.status()).as(failed.body()).isEqualTo(200);
        JsonNode s = state();
        assertThat(s.get("payment_status").asText()).isEqualTo("failed");
        assertThat(s.get("payments").get(0).get("reason").asText()).isEqualTo("Stripe payment failed: Your card was declined.");

        // a refund before the payment it refunds: not applicable yet, Stripe will send it again
        StripeFixture.Reply early = f.webhook(StripeFixture.event("evt_ref_early", "charge.refunded",
                f.clock.instant(), charge(3000)));
        assertThat(early.status()).isEqualTo(503);

        f.clock.advance(Duration.ofMinutes(1));
        assertThat(f.webhook(StripeFixture.event("evt_pi_ok2", "payment_intent.succeeded", f.clock.instant(),
                intent("succeeded", 11000, 11000, null))).status()).isEqualTo(200);
        assertThat(state().get("payment_status").asText()).isEqualTo("succeeded");

        // the full refund (later event) arrives before the partial one: the cumulative amount is what counts
        f.clock.advance(Duration.ofMinutes(1));
        assertThat(f.webhook(StripeFixture.event("evt_ref_full", "charge.refunded", f.clock.instant(), charge(11000)))
                .status()).isEqualTo(200);
        assertThat(f.webhook(StripeFixture.event("evt_ref_early", "charge.refunded", f.clock.instant().minusSeconds(30),
                charge(3000))).status()).isEqualTo(200);
        s = state();
        assertThat(s.get("payment_status").asText()).isEqualTo("refunded");
        assertThat(s.get("amount_refunded").asText()).isEqualTo("110.00");

        String dispute = "{\"id\":\"dp_1TStub\",\"object\":\"dispute\",\"amount\":11000,\"charge\":\"" + StripeStub.CHARGE
                + "\",\"currency\":\"usd\",\"livemode\":false,\"metadata\":{},\"payment_intent\":\""
                + StripeStub.PAYMENT_INTENT + "\",\"reason\":\"fraudulent\",\"status\":\"needs_response\"}";
        assertThat(f.webhook(StripeFixture.event("evt_dp", "charge.dispute.created", f.clock.instant(), dispute))
                .status()).isEqualTo(200);
        assertThat(state().get("payment_status").asText()).isEqualTo("disputed");
        // an event type Tally does not map is acknowledged and ignored
        StripeFixture.Reply other = f.webhook(StripeFixture.event("evt_cus", "customer.updated", f.clock.instant(),
                StripeStub.customer(null, "acme")));
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.json().get("outcome").asText()).isEqualTo("ignored");
    }

    @Test
    void aPaymentIntentTallyHasNotSeenIsTracedToItsInvoiceThroughStripesInvoicePayments() {
        f.stub.server.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/v1/invoice_payments"))
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(200)
                        .withHeader("Content-Type", "application/json").withBody(StripeStub.list("/v1/invoice_payments",
                                StripeStub.invoicePayment().replace(StripeStub.PAYMENT_INTENT, "pi_3Unseen")))));
        String unseen = intent("requires_payment_method", 11000, 0, "Your card was declined.")
                .replace(StripeStub.PAYMENT_INTENT, "pi_3Unseen");
        StripeFixture.Reply r = f.webhook(StripeFixture.event("evt_unseen", "payment_intent.payment_failed",
                f.clock.instant(), unseen));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(state().get("payment_status").asText()).isEqualTo("failed");
        var lookup = f.stub.requests("GET", "/v1/invoice_payments").get(0);
        assertThat(lookup.queryParameter("payment[payment_intent]").firstValue()).isEqualTo("pi_3Unseen");
        assertThat(lookup.queryParameter("payment[type]").firstValue()).isEqualTo("payment_intent");
        // Stripe down during the look-up: not applied, answered 503 so that Stripe sends it again
        f.stub.server.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/v1/invoice_payments"))
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(500)));
        String other = unseen.replace("pi_3Unseen", "pi_3Other");
        assertThat(f.webhook(StripeFixture.event("evt_other", "payment_intent.payment_failed", f.clock.instant(), other))
                .status()).isEqualTo(503);
        assertThat(f.server.engine().providers().eventSeen("default", "stripe", "evt_other")).isFalse();
    }
}

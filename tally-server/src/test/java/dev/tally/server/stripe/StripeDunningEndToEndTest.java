package dev.tally.server.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A failing card through the whole dunning schedule, with Stripe as the provider that collects: the invoice is
 * pushed to the Stripe stub, Stripe's signed {@code payment_intent.payment_failed} arrives, each scheduled retry is a
 * {@code POST /v1/invoices/{id}/pay} carrying the dunning step's idempotency key (the stub declines; one outage is
 * asked again with the same key), every failure sends a reminder as a Tally webhook, the end of the schedule marks the
 * invoice uncollectible and suspends the customer (the entitlement check answers denied), and Stripe's signed
 * {@code invoice.paid} pays it, lifts the suspension and is announced as {@code invoice.payment_succeeded}.
 */
class StripeDunningEndToEndTest {
    static final String TENANT = "default";

    /** A payment intent of the pushed invoice that Stripe failed to charge. */
    static String declinedIntent() {
        return "{\"id\":\"" + StripeStub.PAYMENT_INTENT + "\",\"object\":\"payment_intent\",\"amount\":11000,"
                + "\"amount_received\":0,\"currency\":\"usd\",\"customer\":\"" + StripeStub.CUSTOMER + "\","
                + "\"latest_charge\":\"" + StripeStub.CHARGE + "\",\"livemode\":false,\"metadata\":{},"
                + "\"last_payment_error\":{\"code\":\"card_declined\",\"decline_code\":\"insufficient_funds\","
                + "\"message\":\"Your card has insufficient funds.\",\"type\":\"card_error\"},"
                + "\"status\":\"requires_payment_method\"}";
    }

    static final String DECLINE = "{\"error\":{\"type\":\"card_error\",\"code\":\"card_declined\",\"decline_code\":"
            + "\"insufficient_funds\",\"message\":\"Your card has insufficient funds.\"}}";

    @Test
    void aFailingCardIsDunnedThroughStripeToSuspensionAndRecoversWhenPaid() throws Exception {
        WireMockServer receiver = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        receiver.start();
        receiver.stubFor(post(urlPathEqualTo("/hook")).willReturn(aResponse().withStatus(204)));
        try (StripeFixture f = new StripeFixture()) {
            f.connect();
            f.ok("POST", "/v1/webhook-endpoints", "{\"url\":\"http://127.0.0.1:" + receiver.port() + "/hook\","
                    + "\"event_types\":[\"invoice.payment_failed\",\"invoice.payment_reminder\","
                    + "\"invoice.dunning_step\",\"invoice.payment_succeeded\"]}");
            f.ok("PUT", "/v1/billing/settings", "{\"grace_period_seconds\":0}");
            f.ok("POST", "/v1/plans", "{\"key\":\"pro\",\"currency\":\"USD\",\"interval\":\"monthly\","
                    + "\"tax_rates\":[{\"name\":\"Sales tax\",\"percent\":\"10\"}],\"charges\":[{\"key\":\"base\","
                    + "\"type\":\"flat\",\"name\":\"Base fee\",\"amount\":\"100.00\",\"timing\":\"in_advance\"}],"
                    + "\"features\":[{\"key\":\"sso\",\"type\":\"boolean\"}]}");
            f.ok("POST", "/v1/customers", "{\"external_id\":\"acme\",\"name\":\"Acme\",\"email\":\"billing@acme.test\","
                    + "\"timezone\":\"UTC\",\"currency\":\"USD\",\"net_terms_days\":10}");
            f.ok("POST", "/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"start\":\""
                    + StripeFixture.NOV_1 + "\"}");
            // retries 1, 3 and 5 days after the first failure, uncollectible after 7, then a hard cut
            f.ok("PUT", "/v1/dunning-policy", "{\"retry_days\":[1,3,5],\"reminder_days_before_due\":[],"
                    + "\"remind_after_failure\":true,\"uncollectible_after_days\":7,\"suspension\":\"hard\"}");
            f.ok("POST", "/v1/billing/runs", null);
            JsonNode invoice = f.ok("GET", "/v1/invoices?customer=acme", null).get("invoices").get(0);
            String id = invoice.get("id").asText();
            // 100.00 in advance + 10 % tax = 110.00, due on Nov 11 (net 10)
            assertThat(invoice.get("status").asText()).isEqualTo("finalized");
            assertThat(invoice.get("amount_due").asText()).isEqualTo("110.00");
            assertThat(invoice.get("due_date").asText()).isEqualTo("2026-11-11");

            f.stub.happyPush(id, "usd", 11000);
            assertThat(f.stripe().pushDue()).isEqualTo(1);
            List<Long> items = new ArrayList<>();
            for (LoggedRequest r : f.stub.requests("POST", "/v1/invoiceitems")) {
                items.add(Long.parseLong(StripeStub.form(r).get("amount")));
            }
            assertThat(items).as("the fee and the tax in cents").containsExactly(10000L, 1000L);
            assertThat(f.stripe().collects(TENANT, id)).isTrue();

            String pay = "/v1/invoices/" + StripeStub.INVOICE + "/pay";
            f.stub.server.stubFor(post(urlPathEqualTo(pay)).inScenario("pay").whenScenarioStateIs(Scenario.STARTED)
                    .willReturn(aResponse().withStatus(402).withHeader("Content-Type", "application/json")
                            .withBody(DECLINE)));

            // Nov 1, 01:00: Stripe's first charge of the card fails (entry into dunning)
            at(f, "2026-11-01T00:59:30Z");
            declined(f, "evt_fail_0");
            assertThat(payments(f, id).get("payment_status").asText()).isEqualTo("failed");
            assertThat(run(f)).as("the failure reminder").isEqualTo(1);
            assertThat(run(f)).as("nothing twice").isZero();

            // Nov 2, 01:00: retry 1 through Stripe, declined; Stripe's webhook brings the failure
            at(f, "2026-11-02T01:00:00Z");
            assertThat(run(f)).isEqualTo(1);
            declined(f, "evt_fail_1");
            assertThat(run(f)).as("the reminder after retry 1's failure").isEqualTo(1);

            // Nov 4, 01:00: Stripe is down for retry 2: the step is not done, and is asked again with the same key
            f.stub.server.stubFor(post(urlPathEqualTo(pay)).inScenario("pay").whenScenarioStateIs(Scenario.STARTED)
                    .willSetStateTo("down-once").willReturn(aResponse().withStatus(500)
                            .withHeader("Content-Type", "application/json").withBody(StripeStub.error("api_error",
                                    "internal", "An unknown error occurred"))));
            f.stub.server.stubFor(post(urlPathEqualTo(pay)).inScenario("pay").whenScenarioStateIs("down-once")
                    .willReturn(aResponse().withStatus(402).withHeader("Content-Type", "application/json")
                            .withBody(DECLINE)));
            at(f, "2026-11-04T01:00:00Z");
            assertThat(run(f)).as("Stripe answered 500: the step is left to the next run").isZero();
            assertThat(steps(f, id, "step")).doesNotContain("retry:2");
            at(f, "2026-11-04T01:05:00Z");
            assertThat(run(f)).isEqualTo(1);
            declined(f, "evt_fail_2");
            assertThat(run(f)).isEqualTo(1);

            // Nov 6, 01:00: retry 3, declined
            at(f, "2026-11-06T01:00:00Z");
            assertThat(run(f)).isEqualTo(1);
            declined(f, "evt_fail_3");
            assertThat(run(f)).isEqualTo(1);
            assertThat(f.ok("GET", "/v1/customers/acme/entitlements/sso", null).get("allowed").asBoolean())
                    .as("not suspended before the end of the schedule").isTrue();

            // every retry was a pay request with the dunning step's key inside Stripe's Idempotency-Key
            String prefix = "tally:" + TENANT + ":" + id + ":retry:dunning:" + id + ":";
            assertThat(f.stub.requests("POST", pay)).extracting(r -> r.getHeader("Idempotency-Key"))
                    .containsExactly(prefix + "retry:1", prefix + "retry:2", prefix + "retry:2", prefix + "retry:3");
            JsonNode dunning = f.ok("GET", "/v1/invoices/" + id + "/dunning", null);
            for (JsonNode s : dunning.get("steps")) {
                if (s.get("kind").asText().equals("retry")) {
                    assertThat(s.get("detail").get("provider").asText()).isEqualTo("stripe");
                    assertThat(s.get("detail").get("outcome").asText()).isEqualTo("declined");
                    assertThat(s.get("detail").get("idempotency_key").asText())
                            .isEqualTo("dunning:" + id + ":" + s.get("step").asText());
                    assertThat(s.get("detail").get("reference").asText()).isEqualTo(StripeStub.INVOICE);
                    assertThat(s.get("detail").get("message").asText()).contains("insufficient funds");
                }
            }

            // Nov 8, 01:00: the end of the schedule: uncollectible, the customer's entitlements are cut
            at(f, "2026-11-08T01:00:00Z");
            assertThat(run(f)).isEqualTo(1);
            assertThat(run(f)).isZero();
            JsonNode cut = f.ok("GET", "/v1/customers/acme/entitlements/sso", null);
            assertThat(cut.get("allowed").asBoolean()).isFalse();
            assertThat(cut.get("reason").asText()).isEqualTo("customer_suspended");
            JsonNode uncollectible = f.ok("GET", "/v1/invoices/" + id, null);
            assertThat(uncollectible.get("uncollectible_at").asText()).isEqualTo("2026-11-08T01:00:00Z");
            assertThat(uncollectible.get("overdue").asBoolean()).isFalse();
            assertThat(uncollectible.get("payment_status").asText()).isEqualTo("failed");
            assertThat(uncollectible.get("amount_remaining").asText()).isEqualTo("110.00");
            assertThat(f.stub.requests("POST", pay)).as("no retry after the end").hasSize(4);

            // Nov 12: the customer pays the Stripe invoice (e.g. on Stripe's hosted page): Stripe's signed invoice.paid
            at(f, "2026-11-12T09:30:00Z");
            StripeFixture.Reply paid = f.webhook(StripeFixture.event("evt_paid", "invoice.paid", f.clock.instant(),
                    StripeStub.invoice("paid", "usd", 11000, 11000, id, null)));
            assertThat(paid.status()).as(paid.body()).isEqualTo(200);
            JsonNode after = f.ok("GET", "/v1/invoices/" + id, null);
            assertThat(after.get("payment_status").asText()).isEqualTo("succeeded");
            assertThat(after.get("amount_paid").asText()).isEqualTo("110.00");
            assertThat(after.get("amount_remaining").asText()).isEqualTo("0.00");
            assertThat(after.get("overdue").asBoolean()).isFalse();
            assertThat(f.ok("GET", "/v1/customers/acme/entitlements/sso", null).get("allowed").asBoolean())
                    .as("the payment lifted the suspension at once").isTrue();
            assertThat(run(f)).as("nothing left to do").isZero();
            assertThat(steps(f, id, "kind")).containsExactly("failure_reminder", "retry", "failure_reminder", "retry",
                    "failure_reminder", "retry", "failure_reminder", "uncollectible", "suspension_lifted");

            // the tenant's endpoint got every message, in order
            int attempts;
            do {
                attempts = f.server.engine().webhooks().deliverDue();
            } while (attempts > 0);
            List<String> types = new ArrayList<>();
            JsonNode succeeded = null;
            List<JsonNode> reminders = new ArrayList<>();
            for (LoggedRequest r : receiver.findAll(WireMock.postRequestedFor(urlPathEqualTo("/hook")))) {
                JsonNode body = f.mapper.readTree(r.getBodyAsString());
                assertThat(body.get("data").get("invoice").asText()).isEqualTo(id);
                String type = body.get("type").asText();
                types.add(type.equals("invoice.dunning_step") ? type + "/" + body.get("data").get("action").asText()
                        : type);
                if (type.equals("invoice.payment_succeeded")) {
                    succeeded = body;
                }
                if (type.equals("invoice.payment_reminder")) {
                    reminders.add(body);
                }
            }
            String failed = "invoice.payment_failed";
            String reminder = "invoice.payment_reminder";
            String retry = "invoice.dunning_step/retry";
            assertThat(types).containsExactly(failed, reminder, retry, failed, reminder, retry, failed, reminder, retry,
                    failed, reminder, "invoice.dunning_step/uncollectible", "invoice.payment_succeeded",
                    "invoice.dunning_step/suspension_lifted");
            for (JsonNode r : reminders) {
                assertThat(r.get("data").get("reason").asText()).isEqualTo("payment_failed");
                assertThat(r.get("data").get("amount_due").asText()).isEqualTo("110.00");
            }
            assertThat(succeeded.get("data").get("amount_paid").asText()).isEqualTo("110.00");
            assertThat(succeeded.get("data").get("fact").get("provider").asText()).isEqualTo("stripe");
            assertThat(succeeded.get("data").get("fact").get("amount").asText()).isEqualTo("110.00");
        } finally {
            receiver.stop();
        }
    }

    static void at(StripeFixture f, String instant) {
        f.clock.set(Instant.parse(instant));
    }

    static int run(StripeFixture f) {
        return f.server.engine().dunning().run(TENANT);
    }

    /** Stripe's signed payment_intent.payment_failed, arriving half a minute after the attempt it reports. */
    static void declined(StripeFixture f, String eventId) {
        f.clock.advance(java.time.Duration.ofSeconds(30));
        StripeFixture.Reply r = f.webhook(StripeFixture.event(eventId, "payment_intent.payment_failed",
                f.clock.instant(), declinedIntent()));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("outcome").asText()).startsWith("recorded failed");
    }

    static JsonNode payments(StripeFixture f, String id) {
        return f.payments(id);
    }

    /** One field of every dunning step done for the invoice, oldest first. */
    static List<String> steps(StripeFixture f, String id, String field) {
        List<String> out = new ArrayList<>();
        f.ok("GET", "/v1/invoices/" + id + "/dunning", null).get("steps").forEach(s -> out.add(s.get(field).asText()));
        return out;
    }
}

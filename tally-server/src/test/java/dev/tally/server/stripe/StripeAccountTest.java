package dev.tally.server.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.engine.payment.RetryOutcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The tenant's Stripe credentials: validated, stored sealed (never in clear on disk), never answered back nor
 * logged; and the dunning seam: {@code Payments.retry} pays the Stripe invoice again with an Idempotency-Key per
 * attempt.
 */
class StripeAccountTest {
    StripeFixture f;

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void theKeysAreNeverAnsweredLoggedOrStoredInClear() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try {
            f = new StripeFixture();
            JsonNode none = f.ok("GET", "/v1/providers/stripe", null);
            assertThat(none.get("configured").asBoolean()).isFalse();
            StripeFixture.Reply put = f.call("PUT", "/v1/providers/stripe", "{\"api_key\":\"" + StripeFixture.API_KEY
                    + "\",\"webhook_secret\":\"" + StripeFixture.WEBHOOK_SECRET + "\"}");
            assertThat(put.status()).isEqualTo(200);
            JsonNode got = f.ok("GET", "/v1/providers/stripe", null);
            assertThat(got.get("configured").asBoolean()).isTrue();
            assertThat(got.get("api_key_last4").asText()).isEqualTo("4242");
            for (String body : new String[] {put.body(), got.toString()}) {
                assertThat(body).doesNotContain(StripeFixture.API_KEY).doesNotContain(StripeFixture.WEBHOOK_SECRET)
                        .doesNotContain("whsec_");
            }
            // a push and a refused push go through the logs too
            String id = f.finalizedInvoice("USD", "100.00", "10").get("id").asText();
            f.stub.happyPush(id, "usd", 11000);
            f.stub.server.stubFor(post(urlPathEqualTo("/v1/invoices")).atPriority(1).willReturn(aResponse()
                    .withStatus(401).withHeader("Content-Type", "application/json").withBody(StripeStub.error(
                            "invalid_request_error", "api_key_invalid", "Invalid API Key provided: sk_test_****4242"))));
            f.stripe().pushDue();
            f.server.close();
            for (ILoggingEvent e : logs.list) {
                assertThat(e.getFormattedMessage()).doesNotContain(StripeFixture.API_KEY)
                        .doesNotContain(StripeFixture.WEBHOOK_SECRET);
            }
            try (Stream<Path> files = Files.walk(f.dir)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    String content = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                    assertThat(content).as("%s", p).doesNotContain(StripeFixture.API_KEY)
                            .doesNotContain(StripeFixture.WEBHOOK_SECRET);
                }
            }
            f.start();
            assertThat(f.server.engine().providers().credentials("default", "stripe").orElseThrow())
                    .containsEntry("api_key", StripeFixture.API_KEY);
        } finally {
            root.detachAppender(logs);
        }
    }

    @Test
    void aKeyThatIsNoStripeKeyIsRefused() throws Exception {
        f = new StripeFixture();
        StripeFixture.Reply pk = f.call("PUT", "/v1/providers/stripe", "{\"api_key\":\"pk_test_publishable0000\","
                + "\"webhook_secret\":\"" + StripeFixture.WEBHOOK_SECRET + "\"}");
        assertThat(pk.status()).isEqualTo(400);
        assertThat(pk.body()).doesNotContain("pk_test_publishable0000");
        assertThat(f.call("PUT", "/v1/providers/stripe", "{\"api_key\":\"" + StripeFixture.API_KEY + "\"}").status())
                .isEqualTo(400);
        assertThat(f.call("PUT", "/v1/providers/stripe", "{\"api_key\":\"" + StripeFixture.API_KEY + "\","
                + "\"webhook_secret\":\"" + StripeFixture.WEBHOOK_SECRET + "\",\"extra\":1}").status()).isEqualTo(400);
        assertThat(f.ok("GET", "/v1/providers/stripe", null).get("configured").asBoolean()).isFalse();
    }

    @Test
    void aRetryPaysTheStripeInvoiceAgainOncePerAttemptKey() throws Exception {
        f = new StripeFixture();
        f.connect();
        String id = f.finalizedInvoice("USD", "100.00", "10").get("id").asText();
        f.stub.happyPush(id, "usd", 11000);
        assertThat(f.stripe().pushDue()).isEqualTo(1);
        String pay = "/v1/invoices/" + StripeStub.INVOICE + "/pay";
        f.stub.server.stubFor(post(urlPathEqualTo(pay)).willReturn(aResponse().withStatus(402)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":{\"type\":\"card_error\","
                        + "\"code\":\"card_declined\",\"decline_code\":\"insufficient_funds\",\"message\":"
                        + "\"Your card has insufficient funds.\"}}")));
        RetryOutcome declined = f.server.engine().payments().retry("default", id, "dunning-1");
        assertThat(declined.kind()).isEqualTo(RetryOutcome.Kind.DECLINED);
        assertThat(declined.provider()).isEqualTo("stripe");
        assertThat(declined.detail()).contains("insufficient funds");

        f.stub.server.stubFor(post(urlPathEqualTo(pay)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(StripeStub.invoice("paid", "usd", 11000, 11000,
                        id, null))));
        RetryOutcome paid = f.server.engine().payments().retry("default", id, "dunning-2");
        assertThat(paid.kind()).isEqualTo(RetryOutcome.Kind.PAID);
        assertThat(f.stub.requests("POST", pay)).extracting(r -> r.getHeader("Idempotency-Key"))
                .containsExactly("tally:default:" + id + ":retry:dunning-1", "tally:default:" + id + ":retry:dunning-2");
        JsonNode s = f.payments(id);
        assertThat(s.get("payment_status").asText()).isEqualTo("succeeded");
        // Stripe's invoice.paid for the same payment afterwards is the same fact
        f.clock.advance(java.time.Duration.ofSeconds(5));
        assertThat(f.webhook(StripeFixture.event("evt_after_retry", "invoice.paid", f.clock.instant(),
                StripeStub.invoice("paid", "usd", 11000, 11000, id, null))).status()).isEqualTo(200);
        assertThat(f.payments(id).get("payments")).hasSize(1);
    }
}

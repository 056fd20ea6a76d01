package dev.tally.server.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A month of usage to money: events through November, the billing run on Dec 1 finalizes the invoice, the push
 * step sends it to the Stripe stub, Stripe's signed {@code invoice.paid} arrives, the invoice is paid in Tally, and
 * Tally's own {@code invoice.payment_succeeded} webhook is delivered to the tenant's endpoint.
 */
class StripeEndToEndTest {
    @Test
    void aMonthOfUsageIsInvoicedPushedPaidThroughStripeAndAnnounced() throws Exception {
        WireMockServer receiver = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        receiver.start();
        receiver.stubFor(post(urlPathEqualTo("/hook")).willReturn(aResponse().withStatus(204)));
        try (StripeFixture f = new StripeFixture()) {
            f.connect();
            f.ok("POST", "/v1/webhook-endpoints", "{\"url\":\"http://127.0.0.1:" + receiver.port() + "/hook\","
                    + "\"event_types\":[\"invoice.payment_succeeded\"]}");
            f.ok("PUT", "/v1/billing/settings", "{\"grace_period_seconds\":0}");
            f.ok("POST", "/v1/meters", "{\"key\":\"calls\",\"event_type\":\"api.call\",\"aggregation\":\"sum\","
                    + "\"value_path\":\"n\"}");
            f.ok("POST", "/v1/plans", "{\"key\":\"metered\",\"currency\":\"USD\",\"interval\":\"monthly\","
                    + "\"tax_rates\":[{\"name\":\"Sales tax\",\"percent\":\"10\"}],\"charges\":[{\"key\":\"calls\","
                    + "\"type\":\"usage\",\"name\":\"API calls\",\"meter\":\"calls\",\"price\":{\"model\":\"graduated\","
                    + "\"tiers\":[{\"up_to\":null,\"unit_price\":\"0.01\"}]}}]}");
            f.ok("POST", "/v1/customers", "{\"external_id\":\"acme\",\"name\":\"Acme\",\"email\":\"billing@acme.test\","
                    + "\"timezone\":\"UTC\",\"currency\":\"USD\"}");
            f.ok("POST", "/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"metered\",\"start\":\""
                    + StripeFixture.NOV_1 + "\"}");
            // 30 days of usage, 100 calls a day, sent as the month goes by
            for (int day = 0; day < 30; day++) {
                Instant at = StripeFixture.NOV_1.plus(Duration.ofDays(day)).plusSeconds(3600);
                f.clock.set(at.plusSeconds(60));
                StripeFixture.Reply r = f.send("POST", "/v1/events", "[{\"specversion\":\"1.0\",\"id\":\"d" + day
                        + "\",\"source\":\"gw\",\"type\":\"api.call\",\"subject\":\"acme\",\"time\":\"" + at
                        + "\",\"data\":{\"n\":100}}]", Map.of("Authorization", "Bearer " + StripeFixture.KEY,
                        "Content-Type", "application/cloudevents-batch+json"));
                assertThat(r.status()).as(r.body()).isBetween(200, 202);
            }
            f.clock.set(Instant.parse("2026-12-01T00:00:05Z"));
            f.ok("POST", "/v1/billing/runs", null);
            JsonNode november = null;
            for (JsonNode i : f.ok("GET", "/v1/invoices?customer=acme", null).get("invoices")) {
                if (i.get("status").asText().equals("finalized") && i.get("amount_due").asText().equals("33.00")) {
                    november = i;
                }
            }
            assertThat(november).as("the November invoice: 3,000 calls at 0.01 plus 10 %").isNotNull();
            String id = november.get("id").asText();
            f.stub.happyPush(id, "usd", 3300);

            assertThat(f.stripe().pushDue()).isEqualTo(1);
            List<Long> amounts = new ArrayList<>();
            for (LoggedRequest r : f.stub.requests("POST", "/v1/invoiceitems")) {
                amounts.add(Long.parseLong(StripeStub.form(r).get("amount")));
            }
            assertThat(amounts).containsExactly(3000L, 300L);

            f.clock.advance(Duration.ofMinutes(70));
            String paid = StripeStub.invoice("paid", "usd", 3300, 3300, id, null);
            StripeFixture.Reply hook = f.webhook(StripeFixture.event("evt_1TPaid", "invoice.paid", f.clock.instant(), paid));
            assertThat(hook.status()).as(hook.body()).isEqualTo(200);

            JsonNode after = f.ok("GET", "/v1/invoices/" + id, null);
            assertThat(after.get("payment_status").asText()).isEqualTo("succeeded");
            assertThat(after.get("amount_paid").asText()).isEqualTo("33.00");
            assertThat(after.get("amount_remaining").asText()).isEqualTo("0.00");

            assertThat(f.server.engine().webhooks().deliverDue()).isPositive();
            List<LoggedRequest> delivered = receiver.findAll(com.github.tomakehurst.wiremock.client.WireMock
                    .postRequestedFor(urlPathEqualTo("/hook")));
            assertThat(delivered).hasSize(1);
            JsonNode body = f.mapper.readTree(delivered.get(0).getBodyAsString());
            assertThat(body.get("type").asText()).isEqualTo("invoice.payment_succeeded");
            assertThat(body.get("data").get("invoice").asText()).isEqualTo(id);
            assertThat(body.get("data").get("fact").get("provider").asText()).isEqualTo("stripe");
            assertThat(delivered.get(0).getHeader("webhook-signature")).startsWith("v1,");
        } finally {
            receiver.stop();
        }
    }
}

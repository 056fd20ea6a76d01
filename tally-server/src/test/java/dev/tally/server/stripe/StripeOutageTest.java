package dev.tally.server.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tally.engine.providers.PushJob;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Stripe outage: 500s and 429s with Retry-After reschedule the push with doubling backoff (or the longer
 * Retry-After), the invoice is pushed once Stripe answers again, and a push hanging on Stripe holds up neither a
 * billing run nor ingest.
 */
class StripeOutageTest {
    StripeFixture f;

    @AfterEach
    void stop() {
        f.close();
    }

    PushJob job(String invoice) {
        return f.server.engine().providers().job("default", "stripe", invoice).orElseThrow();
    }

    @Test
    void fiveHundredsAndTooManyRequestsBackOffThenThePushSucceedsOnce() throws Exception {
        f = new StripeFixture();
        f.connect();
        String id = f.finalizedInvoice("USD", "100.00", "10").get("id").asText();
        f.stub.happyPush(id, "usd", 11000);
        // Stripe fails the invoice creation twice: a 500, then a 429 asking for two minutes
        f.stub.server.stubFor(post(urlPathEqualTo("/v1/invoices")).inScenario("outage")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("limited").atPriority(1)
                .willReturn(aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                        .withBody(StripeStub.error("api_error", "internal", "An unknown error occurred"))));
        f.stub.server.stubFor(post(urlPathEqualTo("/v1/invoices")).inScenario("outage")
                .whenScenarioStateIs("limited").willSetStateTo("well").atPriority(1)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "120")
                        .withHeader("Content-Type", "application/json")
                        .withBody(StripeStub.error("invalid_request_error", "rate_limit", "Too many requests"))));

        assertThat(f.stripe().pushDue()).isZero();
        PushJob first = job(id);
        assertThat(first.state()).isEqualTo(PushJob.State.PENDING);
        assertThat(first.attempts()).isEqualTo(1);
        assertThat(first.lastError()).hasValueSatisfying(e -> assertThat(e).startsWith("HTTP 500"));
        assertThat(first.nextAttemptMillis()).isEqualTo(f.clock.millis() + 10_000);

        // not due yet: nothing is sent
        int before = f.stub.requests("POST", "/v1/invoices").size();
        assertThat(f.stripe().pushDue()).isZero();
        assertThat(f.stub.requests("POST", "/v1/invoices")).hasSize(before);

        f.clock.advance(Duration.ofSeconds(10));
        assertThat(f.stripe().pushDue()).isZero();
        PushJob second = job(id);
        assertThat(second.attempts()).isEqualTo(2);
        assertThat(second.lastError()).hasValueSatisfying(e -> assertThat(e).startsWith("HTTP 429"));
        // the backoff would be 20 s; Stripe's Retry-After of 120 s is longer and wins
        assertThat(second.nextAttemptMillis()).isEqualTo(f.clock.millis() + 120_000);
        JsonNode status = f.ok("GET", "/v1/providers/stripe", null);
        assertThat(status.get("invoices").get("pending").asInt()).isEqualTo(1);

        f.clock.advance(Duration.ofSeconds(120));
        assertThat(f.stripe().pushDue()).isEqualTo(1);
        assertThat(job(id).state()).isEqualTo(PushJob.State.PUSHED);
        // three creation requests, one invoice: each with the same Idempotency-Key
        assertThat(f.stub.requests("POST", "/v1/invoices")).hasSize(3)
                .allSatisfy(r -> assertThat(r.getHeader("Idempotency-Key")).isEqualTo("tally:default:" + id + ":invoice"));
    }

    @Test
    void theBackoffDoublesUpToItsCap() throws Exception {
        f = new StripeFixture();
        StripeProvider p = f.stripe();
        assertThat(p.backoff(0, java.util.Optional.empty())).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.backoff(1, java.util.Optional.empty())).isEqualTo(Duration.ofSeconds(20));
        assertThat(p.backoff(3, java.util.Optional.empty())).isEqualTo(Duration.ofSeconds(80));
        assertThat(p.backoff(40, java.util.Optional.empty())).isEqualTo(Duration.ofMinutes(10));
        assertThat(p.backoff(0, java.util.Optional.of(Duration.ofSeconds(3)))).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aPushHangingOnStripeHoldsUpNeitherBillingRunsNorIngest() throws Exception {
        f = new StripeFixture();
        f.connect();
        String id = f.finalizedInvoice("USD", "100.00", "10").get("id").asText();
        f.stub.happyPush(id, "usd", 11000);
        // Stripe takes 3 s to answer the invoice creation, then fails it
        f.stub.server.stubFor(post(urlPathEqualTo("/v1/invoices")).atPriority(1).willReturn(aResponse()
                .withStatus(503).withFixedDelay(3000).withHeader("Content-Type", "application/json")
                .withBody(StripeStub.error("api_error", "unavailable", "Service unavailable"))));
        CompletableFuture<Integer> push = CompletableFuture.supplyAsync(() -> f.stripe().pushDue());
        // wait until the push is waiting on Stripe
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (f.stub.requests("POST", "/v1/invoices").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(f.stub.requests("POST", "/v1/invoices")).hasSize(1);
        assertThat(push).isNotDone();

        f.ok("POST", "/v1/meters", "{\"key\":\"calls\",\"event_type\":\"api.call\",\"aggregation\":\"count\"}");
        long t0 = System.nanoTime();
        StripeFixture.Reply ingest = f.send("POST", "/v1/events", "[{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"t\","
                + "\"type\":\"api.call\",\"subject\":\"acme\",\"data\":{}}]", Map.of("Authorization", "Bearer "
                + StripeFixture.KEY, "Content-Type", "application/cloudevents-batch+json"));
        StripeFixture.Reply run = f.call("POST", "/v1/billing/runs", null);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(ingest.status()).as(ingest.body()).isEqualTo(200);
        assertThat(run.status()).as(run.body()).isEqualTo(200);
        assertThat(push).as("the push is still waiting on Stripe while both answered").isNotDone();
        assertThat(tookMs).isLessThan(2500);
        assertThat(push.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(job(id).lastError()).hasValueSatisfying(e -> assertThat(e).startsWith("HTTP 503"));
    }
}

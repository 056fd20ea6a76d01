package dev.tally.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tally serve} in its own JVM pushes a finalized invoice to a Stripe stub and is SIGKILLed while Stripe is
 * answering the invoice creation: Stripe has the invoice, Tally never recorded its id. Started again on the same
 * data, the server finds the invoice by its {@code tally_invoice_id} metadata and finishes it: one Stripe invoice,
 * one finalize.
 */
class StripeKillNineTest {
    static final String CUSTOMER = "cus_TK9";
    static final String INVOICE = "in_1TK9";

    @TempDir
    Path dir;
    final List<ServerProcess> processes = new ArrayList<>();
    final WireMockServer stripe = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));

    @AfterEach
    void stop() {
        processes.forEach(ServerProcess::kill);
        stripe.stop();
    }

    static ResponseDefinitionBuilder ok(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    static String list(String url, String... items) {
        return "{\"object\":\"list\",\"data\":[" + String.join(",", items) + "],\"has_more\":false,\"url\":\"" + url + "\"}";
    }

    static String invoice(String status, String tallyInvoice, long due) {
        return "{\"id\":\"" + INVOICE + "\",\"object\":\"invoice\",\"amount_due\":" + due + ",\"amount_paid\":0,"
                + "\"currency\":\"usd\",\"customer\":\"" + CUSTOMER + "\",\"livemode\":false,\"metadata\":"
                + "{\"tally_invoice_id\":\"" + tallyInvoice + "\",\"tally_tenant\":\"default\"},\"status\":\"" + status
                + "\"}";
    }

    List<LoggedRequest> requests(String method, String path) {
        return stripe.getAllServeEvents().stream().map(e -> e.getRequest())
                .filter(r -> r.getMethod().value().equals(method) && URI.create(r.getUrl()).getPath().equals(path))
                .toList();
    }

    ServerProcess start(Path data, String log) throws Exception {
        ServerProcess p = new ServerProcess(data, dir.resolve(log), ServerProcess.freePort(), Map.of(
                "TALLY_STRIPE_API_BASE", "http://127.0.0.1:" + stripe.port(),
                "TALLY_STRIPE_PUSH_INTERVAL_MS", "200",
                "TALLY_STRIPE_BACKOFF_FIRST_MS", "200",
                "TALLY_STRIPE_BACKOFF_MAX_MS", "1000",
                "TALLY_BILLING_INTERVAL_SECONDS", "0"), List.of());
        processes.add(p);
        p.awaitReady(TallyApi.http());
        return p;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aServerKilledWhileStripeCreatesTheInvoiceMakesNoSecondOneAfterItsRestart() throws Exception {
        stripe.start();
        stripe.stubFor(get(urlPathEqualTo("/v1/customers")).willReturn(ok(list("/v1/customers"))));
        stripe.stubFor(get(urlPathEqualTo("/v1/customers/search")).willReturn(ok("{\"object\":\"search_result\","
                + "\"data\":[],\"has_more\":false,\"next_page\":null,\"url\":\"/v1/customers/search\"}")));
        stripe.stubFor(post(urlPathEqualTo("/v1/customers")).willReturn(ok("{\"id\":\"" + CUSTOMER + "\","
                + "\"object\":\"customer\",\"metadata\":{\"tally_customer_id\":\"acme\"}}")));
        stripe.stubFor(get(urlPathEqualTo("/v1/invoices")).inScenario("k9").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(ok(list("/v1/invoices"))));
        // Stripe takes its time answering the creation: the server is killed while it waits
        stripe.stubFor(post(urlPathEqualTo("/v1/invoices")).inScenario("k9").willSetStateTo("created")
                .willReturn(ok(invoice("draft", "unknown", 0)).withFixedDelay(5000)));

        Path data = dir.resolve("data");
        ServerProcess first = start(data, "server-1.log");
        TallyApi api = new TallyApi(first, first.awaitKey(data), "first");
        api.json("PUT", "/v1/providers/stripe", "{\"api_key\":\"sk_test_51KillNineKey0000\","
                + "\"webhook_secret\":\"whsec_killNineSecret0000\"}", 200);
        api.json("PUT", "/v1/billing/settings", "{\"grace_period_seconds\":0}", 200);
        api.json("POST", "/v1/plans", "{\"key\":\"p\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":"
                + "[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Platform fee\",\"amount\":\"300.00\","
                + "\"timing\":\"in_advance\"}]}", 201);
        api.json("POST", "/v1/customers", "{\"external_id\":\"acme\",\"name\":\"Acme\",\"timezone\":\"UTC\","
                + "\"currency\":\"USD\"}", 201);
        api.json("POST", "/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"p\",\"start\":\""
                + Instant.now().minusSeconds(5) + "\"}", 201);
        api.json("POST", "/v1/billing/runs", null, 200);
        JsonNode inv = api.get("/v1/invoices?customer=acme&status=finalized").get("invoices").get(0);
        String id = inv.get("id").asText();
        long due = new java.math.BigDecimal(inv.get("amount_due").asText()).movePointRight(2).longValueExact();
        // what Stripe answers once the invoice exists
        stripe.stubFor(get(urlPathEqualTo("/v1/invoices")).inScenario("k9").whenScenarioStateIs("created")
                .willReturn(ok(list("/v1/invoices", invoice("draft", id, 0)))));
        stripe.stubFor(get(urlPathEqualTo("/v1/invoiceitems")).willReturn(ok(list("/v1/invoiceitems"))));
        stripe.stubFor(post(urlPathEqualTo("/v1/invoiceitems")).willReturn(ok("{\"id\":\"ii_1\",\"object\":"
                + "\"invoiceitem\"}")));
        stripe.stubFor(post(urlPathEqualTo("/v1/invoices/" + INVOICE + "/finalize")).willReturn(ok(invoice("open", id,
                due))));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (requests("POST", "/v1/invoices").isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail("the server never asked Stripe to create the invoice; log:\n" + first.logTail(40));
            }
            Thread.sleep(20);
        }
        first.kill();
        assertThat(first.isAlive()).isFalse();

        ServerProcess second = start(data, "server-2.log");
        TallyApi again = new TallyApi(second, second.awaitKey(data), "second");
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (again.get("/v1/providers/stripe").get("invoices").get("pushed").asInt() != 1) {
            if (System.nanoTime() > deadline) {
                fail("the restarted server did not push the invoice; log:\n" + second.logTail(40));
            }
            Thread.sleep(100);
        }
        assertThat(requests("POST", "/v1/invoices")).as("one Stripe invoice, not two").hasSize(1);
        assertThat(requests("POST", "/v1/invoices/" + INVOICE + "/finalize")).hasSize(1);
        assertThat(requests("POST", "/v1/invoiceitems")).singleElement().satisfies(r -> {
            assertThat(r.getBodyAsString()).contains("amount=" + due);
            assertThat(r.getHeader("Idempotency-Key")).startsWith("tally:default:" + id + ":item:line:");
        });
    }
}

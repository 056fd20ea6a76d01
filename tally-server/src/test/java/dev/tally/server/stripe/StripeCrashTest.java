package dev.tally.server.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tally.engine.providers.PushJob;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The process dies between "Stripe created it" and "Tally recorded it" (an Error thrown at that point stops the
 * push as abruptly as a kill would; the server is then stopped and started again on the same data directory): the
 * restarted push finds what Stripe already has by its Tally metadata, so there is one Stripe invoice and one item
 * per line, never two.
 */
class StripeCrashTest {
    /** Stands for the process dying: nothing after it runs, nothing catches it. */
    static final class Killed extends Error {
        private static final long serialVersionUID = 1L;
    }

    StripeFixture f;

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void aCrashAfterStripeCreatedTheInvoiceBeforeTallyRecordedItLeavesOneStripeInvoice() throws Exception {
        f = new StripeFixture();
        f.connect();
        String id = f.finalizedInvoice("USD", "100.00", "10").get("id").asText();
        f.stub.happyPush(id, "usd", 11000);
        f.stripe().checkpoint(step -> {
            if (step.equals("invoice-created")) {
                throw new Killed();
            }
        });
        assertThatThrownBy(() -> f.stripe().pushDue()).isInstanceOf(Killed.class);
        assertThat(f.stub.requests("POST", "/v1/invoices")).hasSize(1);
        assertThat(f.server.engine().providers().job("default", "stripe", id).orElseThrow().remoteId()).isEmpty();

        f.restart();
        assertThat(f.stripe().pushDue()).isEqualTo(1);

        assertThat(f.stub.requests("POST", "/v1/invoices")).as("one Stripe invoice, not two").hasSize(1);
        assertThat(f.stub.requests("GET", "/v1/invoices")).hasSize(2);
        PushJob job = f.server.engine().providers().job("default", "stripe", id).orElseThrow();
        assertThat(job.state()).isEqualTo(PushJob.State.PUSHED);
        assertThat(job.remoteId()).contains(StripeStub.INVOICE);
        assertThat(f.stub.requests("POST", "/v1/invoiceitems")).hasSize(2);
        assertThat(f.stub.requests("POST", "/v1/invoices/" + StripeStub.INVOICE + "/finalize")).hasSize(1);
    }

    @Test
    void aCrashAfterTheFirstItemAddsOnlyTheMissingItemsAfterTheRestart() throws Exception {
        f = new StripeFixture();
        f.connect();
        JsonNode inv = f.finalizedInvoice("USD", "100.00", "10");
        String id = inv.get("id").asText();
        String lineId = inv.get("lines").get(0).get("id").asText();
        f.stub.happyPush(id, "usd", 11000);
        // once the first item exists, Stripe lists it on the draft invoice
        f.stub.server.stubFor(post(urlPathEqualTo("/v1/invoiceitems")).inScenario("items").atPriority(1)
                .willSetStateTo("one").willReturn(aResponse().withStatus(200).withHeader("Content-Type",
                        "application/json").withBody("{\"id\":\"ii_1\",\"object\":\"invoiceitem\",\"amount\":10000}")));
        f.stub.server.stubFor(get(urlPathEqualTo("/v1/invoiceitems")).inScenario("items").whenScenarioStateIs("one")
                .atPriority(1).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(StripeStub.list("/v1/invoiceitems", "{\"id\":\"ii_1\",\"object\":\"invoiceitem\","
                                + "\"amount\":10000,\"currency\":\"usd\",\"invoice\":\"" + StripeStub.INVOICE + "\","
                                + "\"metadata\":{\"tally_invoice_id\":\"" + id + "\",\"tally_item\":\"line:" + lineId
                                + "\"}}"))));
        f.stub.server.stubFor(get(urlPathEqualTo("/v1/invoiceitems")).inScenario("items")
                .whenScenarioStateIs(Scenario.STARTED).atPriority(1).willReturn(aResponse().withStatus(200)
                        .withHeader("Content-Type", "application/json").withBody(StripeStub.list("/v1/invoiceitems"))));
        f.stripe().checkpoint(step -> {
            if (step.equals("item-created")) {
                throw new Killed();
            }
        });
        assertThatThrownBy(() -> f.stripe().pushDue()).isInstanceOf(Killed.class);
        f.restart();
        assertThat(f.stripe().pushDue()).isEqualTo(1);
        assertThat(f.stub.requests("POST", "/v1/invoices")).hasSize(1);
        // the restart retrieved the invoice by the id Tally had recorded, and added only the tax item
        assertThat(f.stub.requests("GET", "/v1/invoices/" + StripeStub.INVOICE)).hasSize(1);
        assertThat(f.stub.requests("POST", "/v1/invoiceitems")).extracting(r -> StripeStub.form(r).get("metadata[tally_item]"))
                .containsExactly("line:" + lineId, "tax:0");
    }
}

package dev.tally.server.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A finalized invoice goes to Stripe as a Stripe invoice: the customer created with its Tally id in the metadata,
 * a draft invoice, one invoice item per line and per tax in Stripe's minor units of the invoice's currency, then
 * finalized; every write with an Idempotency-Key derived from the Tally invoice and the step.
 */
class StripePushTest {
    StripeFixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    @ParameterizedTest(name = "{0} {1} + {2}% tax")
    @CsvSource({"USD, 100.00, 10, 10000, 1000", "JPY, 1234, 10, 1234, 123", "BHD, 12.345, 10, 12345, 1235"})
    void pushesEachLineAndTaxInStripesMinorUnitsExactly(String currency, String fee, String tax, long feeMinor,
            long taxMinor) throws Exception {
        f = new StripeFixture();
        f.connect();
        JsonNode inv = f.finalizedInvoice(currency, fee, tax);
        String id = inv.get("id").asText();
        BigDecimal total = new BigDecimal(inv.get("amount_due").asText());
        long totalMinor = total.movePointRight(StripeAmounts.exponent(java.util.Currency.getInstance(currency)))
                .longValueExact();
        assertThat(totalMinor).isEqualTo(feeMinor + taxMinor);
        f.stub.happyPush(id, currency.toLowerCase(), totalMinor);

        assertThat(f.stripe().pushDue()).isEqualTo(1);

        LoggedRequest customer = f.stub.requests("POST", "/v1/customers").get(0);
        assertThat(StripeStub.form(customer)).containsEntry("metadata[tally_customer_id]", "acme")
                .containsEntry("email", "billing@acme.test").containsEntry("name", "Acme");
        assertThat(customer.getHeader("Idempotency-Key")).isEqualTo("tally:default:customer:acme");
        assertThat(customer.getHeader("Authorization")).isEqualTo("Bearer " + StripeFixture.API_KEY);

        LoggedRequest create = f.stub.requests("POST", "/v1/invoices").get(0);
        assertThat(StripeStub.form(create)).containsEntry("customer", StripeStub.CUSTOMER)
                .containsEntry("currency", currency.toLowerCase())
                .containsEntry("collection_method", "charge_automatically")
                .containsEntry("auto_advance", "false")
                .containsEntry("pending_invoice_items_behavior", "exclude")
                .containsEntry("metadata[tally_invoice_id]", id)
                .containsEntry("metadata[tally_tenant]", "default");
        assertThat(create.getHeader("Idempotency-Key")).isEqualTo("tally:default:" + id + ":invoice");

        List<LoggedRequest> items = f.stub.requests("POST", "/v1/invoiceitems");
        assertThat(items).hasSize(2);
        Map<String, String> line = StripeStub.form(items.get(0));
        String lineId = inv.get("lines").get(0).get("id").asText();
        assertThat(line).containsEntry("amount", Long.toString(feeMinor)).containsEntry("currency", currency.toLowerCase())
                .containsEntry("invoice", StripeStub.INVOICE).containsEntry("customer", StripeStub.CUSTOMER)
                .containsEntry("metadata[tally_item]", "line:" + lineId).containsEntry("description", "Platform fee");
        assertThat(items.get(0).getHeader("Idempotency-Key")).isEqualTo("tally:default:" + id + ":item:line:" + lineId);
        Map<String, String> taxItem = StripeStub.form(items.get(1));
        assertThat(taxItem).containsEntry("amount", Long.toString(taxMinor)).containsEntry("metadata[tally_item]", "tax:0")
                .containsEntry("description", "VAT (10%)");
        assertThat(items.get(1).getHeader("Idempotency-Key")).isEqualTo("tally:default:" + id + ":item:tax:0");

        LoggedRequest fin = f.stub.requests("POST", "/v1/invoices/" + StripeStub.INVOICE + "/finalize").get(0);
        assertThat(StripeStub.form(fin)).containsEntry("auto_advance", "true").containsEntry("expand[0]", "payments");
        assertThat(fin.getHeader("Idempotency-Key")).isEqualTo("tally:default:" + id + ":finalize");

        JsonNode status = f.ok("GET", "/v1/providers/stripe", null);
        assertThat(status.get("invoices").get("pushed").asInt()).isEqualTo(1);
        assertThat(f.ok("GET", "/v1/providers/stripe/customers/acme", null).get("stripe_customer_id").asText())
                .isEqualTo(StripeStub.CUSTOMER);
        assertThat(f.stripe().collects("default", id)).isTrue();

        // the next step pushes nothing again
        assertThat(f.stripe().pushDue()).isZero();
        assertThat(f.stub.requests("POST", "/v1/invoices")).hasSize(1);
    }

    @Test
    void aLinkedCustomerIsUsedWithoutALookUpAndInvoicesFinalizedBeforeConnectingAreNotPushed() throws Exception {
        f = new StripeFixture();
        JsonNode before = f.finalizedInvoice("USD", "100.00", "10");
        f.connect();
        f.ok("PUT", "/v1/providers/stripe/customers/acme", "{\"stripe_customer_id\":\"cus_Existing42\"}");
        f.stub.happyPush(before.get("id").asText(), "usd", 11000);
        assertThat(f.stripe().pushDue()).isZero();
        assertThat(f.ok("GET", "/v1/providers/stripe", null).get("invoices").get("skipped").asInt()).isEqualTo(1);
        assertThat(f.stub.requests("POST", "/v1/invoices")).isEmpty();
        // no provider collects it, so a retry does nothing
        assertThat(f.server.engine().payments().retry("default", before.get("id").asText(), "r1").kind())
                .isEqualTo(dev.tally.engine.payment.RetryOutcome.Kind.NOT_COLLECTED);
        assertThat(f.ok("GET", "/v1/providers/stripe/customers/acme", null).get("stripe_customer_id").asText())
                .isEqualTo("cus_Existing42");
        assertThat(f.call("PUT", "/v1/providers/stripe/customers/acme", "{\"stripe_customer_id\":\"acct_1\"}").status())
                .isEqualTo(400);
    }
}

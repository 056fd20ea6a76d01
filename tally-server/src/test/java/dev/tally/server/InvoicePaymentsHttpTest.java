package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.BillingFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Manual payments over HTTP: the ledger, the payment status in the invoice, idempotent references, refused
 * overpayments, the payment_status filter and the payment webhooks.
 */
class InvoicePaymentsHttpTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");

    MutableClock clock;
    TestServer t;
    WebhookReceiver receiver;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_1);
        t = new TestServer(clock);
        receiver = new WebhookReceiver();
        ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
        created(t.post("/v1/plans", "{\"key\":\"taxed\",\"currency\":\"USD\",\"interval\":\"monthly\","
                + "\"tax_rates\":[{\"name\":\"Tax\",\"percent\":\"10\"}],\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base fee\",\"amount\":\"100.00\",\"timing\":\"in_advance\"}]}"));
        for (String c : List.of("acme", "globex")) {
            created(t.post("/v1/customers", "{\"external_id\":\"" + c + "\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
            created(t.post("/v1/subscriptions", "{\"customer\":\"" + c + "\",\"plan\":\"taxed\",\"start\":\"" + NOV_1 + "\"}"));
        }
        assertThat(run(t).get("finalized").asInt()).isEqualTo(2);
    }

    @AfterEach
    void stop() {
        receiver.close();
        t.close();
    }

    String invoiceOf(String customer) {
        return ok(t.get("/v1/invoices?customer=" + customer)).get("invoices").get(0).get("id").asText();
    }

    TestServer.Reply pay(String invoice, String outcome, String amount, String reference) {
        return t.post("/v1/invoices/" + invoice + "/payments", "{\"outcome\":\"" + outcome + "\",\"amount\":\"" + amount
                + "\",\"reference\":\"" + reference + "\",\"reason\":\"bank transfer\"}");
    }

    List<String> idsWithPaymentStatus(String status) {
        List<String> ids = new ArrayList<>();
        ok(t.get("/v1/invoices?payment_status=" + status)).get("invoices").forEach(i -> ids.add(i.get("id").asText()));
        return ids;
    }

    @Test
    void aPartPaymentThenTheRestMakesTheInvoicePaidAndTheLedgerKeepsBoth() {
        String acme = invoiceOf("acme");
        JsonNode fresh = ok(t.get("/v1/invoices/" + acme));
        assertThat(fresh.get("total").asText()).isEqualTo("110.00");
        assertThat(fresh.get("payment_status").asText()).isEqualTo("pending");
        assertThat(fresh.get("amount_due").asText()).isEqualTo("110.00");
        assertThat(fresh.get("amount_remaining").asText()).isEqualTo("110.00");

        JsonNode part = created(pay(acme, "succeeded", "40", "wire-1"));
        assertThat(part.get("amount").asText()).isEqualTo("40.00");
        assertThat(part.get("provider").asText()).isEqualTo("manual");
        assertThat(part.get("invoice_payment").get("payment_status").asText()).isEqualTo("pending");
        assertThat(part.get("invoice_payment").get("amount_remaining").asText()).isEqualTo("70.00");

        clock.advance(java.time.Duration.ofMinutes(5));
        JsonNode rest = created(pay(acme, "succeeded", "70.00", "wire-2"));
        assertThat(rest.get("invoice_payment").get("payment_status").asText()).isEqualTo("succeeded");

        JsonNode inv = ok(t.get("/v1/invoices/" + acme));
        assertThat(inv.get("payment_status").asText()).isEqualTo("succeeded");
        assertThat(inv.get("amount_paid").asText()).isEqualTo("110.00");
        assertThat(inv.get("amount_remaining").asText()).isEqualTo("0.00");
        assertThat(inv.get("status").asText()).as("the invoice status is its own").isEqualTo("finalized");

        JsonNode ledger = ok(t.get("/v1/invoices/" + acme + "/payments"));
        assertThat(ledger.get("payments")).hasSize(2);
        assertThat(ledger.get("payments").get(0).get("reference").asText()).isEqualTo("wire-1");
        assertThat(ledger.get("payments").get(1).get("reference").asText()).isEqualTo("wire-2");
        assertThat(ledger.get("payments").get(0).get("reason").asText()).isEqualTo("bank transfer");
        assertThat(ledger.get("payment_status").asText()).isEqualTo("succeeded");
    }

    @Test
    void recordingTheSameReferenceAgainIsOneFactAndADifferentPaymentUnderItIsAConflict() {
        String acme = invoiceOf("acme");
        JsonNode first = created(pay(acme, "succeeded", "10.00", "wire-1"));
        TestServer.Reply again = pay(acme, "succeeded", "10.00", "wire-1");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("id").asText()).isEqualTo(first.get("id").asText());
        TestServer.Reply other = pay(acme, "succeeded", "20.00", "wire-1");
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.json().get("type").asText()).endsWith("payment-reference-reused");
        assertThat(ok(t.get("/v1/invoices/" + acme + "/payments")).get("payments")).hasSize(1);
        assertThat(ok(t.get("/v1/invoices/" + acme)).get("amount_paid").asText()).isEqualTo("10.00");
    }

    @Test
    void refusesMoreThanIsDueARefundOfMoreThanWasPaidBadFieldsAndDrafts() {
        String acme = invoiceOf("acme");
        TestServer.Reply over = pay(acme, "succeeded", "110.01", "wire-1");
        assertThat(over.status()).isEqualTo(409);
        assertThat(over.json().get("type").asText()).endsWith("payment-exceeds-amount-due");
        TestServer.Reply refund = pay(acme, "refunded", "1.00", "refund-1");
        assertThat(refund.status()).isEqualTo(409);
        assertThat(refund.json().get("type").asText()).endsWith("refund-exceeds-amount-paid");
        assertThat(pay(acme, "succeeded", "1.001", "wire-2").status()).isEqualTo(400);
        assertThat(pay(acme, "succeeded", "-1", "wire-3").status()).isEqualTo(400);
        assertThat(pay(acme, "paid", "1", "wire-4").status()).isEqualTo(400);
        TestServer.Reply unknownField = t.post("/v1/invoices/" + acme + "/payments",
                "{\"outcome\":\"succeeded\",\"amount\":\"1\",\"reference\":\"r\",\"amout\":\"2\"}");
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.json().get("errors").toString()).contains("amout");
        assertThat(t.post("/v1/invoices/" + acme + "/payments", "{\"outcome\":\"succeeded\",\"amount\":\"1\","
                + "\"reference\":\"r\",\"currency\":\"EUR\"}").status()).isEqualTo(400);
        assertThat(t.post("/v1/invoices/" + acme + "/payments", "{\"outcome\":\"succeeded\",\"amount\":\"1\","
                + "\"reference\":\"r\",\"occurred_at\":\"2027-01-01T00:00:00Z\"}").status()).isEqualTo(400);
        assertThat(ok(t.get("/v1/invoices/" + acme + "/payments")).get("payments")).isEmpty();
        assertThat(pay("inv_nope", "succeeded", "1", "x").status()).isEqualTo(404);

        String globex = invoiceOf("globex");
        ok(t.post("/v1/invoices/" + globex + "/void", ""));
        TestServer.Reply voided = pay(globex, "succeeded", "1.00", "wire-9");
        assertThat(voided.status()).isEqualTo(409);
        assertThat(voided.json().get("type").asText()).endsWith("invoice-not-payable");
    }

    @Test
    void failuresRefundsAndTheFilterFollowTheLedger() {
        String acme = invoiceOf("acme");
        String globex = invoiceOf("globex");
        created(pay(acme, "failed", "110.00", "card-1"));
        assertThat(idsWithPaymentStatus("failed")).containsExactly(acme);
        assertThat(idsWithPaymentStatus("pending")).containsExactly(globex);

        created(pay(globex, "succeeded", "110.00", "wire-1"));
        created(pay(globex, "refunded", "10.00", "refund-1"));
        assertThat(idsWithPaymentStatus("partially_refunded")).containsExactly(globex);
        assertThat(idsWithPaymentStatus("pending")).isEmpty();
        JsonNode g = ok(t.get("/v1/invoices/" + globex));
        assertThat(g.get("amount_refunded").asText()).isEqualTo("10.00");
        assertThat(g.get("amount_remaining").asText()).isEqualTo("10.00");

        TestServer.Reply bad = t.get("/v1/invoices?payment_status=paid");
        assertThat(bad.status()).isEqualTo(400);
    }

    @Test
    void theInvoiceBecomingPaidAndAFailedAttemptAreSentAsWebhooks() {
        created(t.post("/v1/webhook-endpoints", "{\"url\":\"" + receiver.url("/pay") + "\",\"event_types\":"
                + "[\"invoice.payment_succeeded\",\"invoice.payment_failed\"]}"));
        String acme = invoiceOf("acme");
        created(pay(acme, "failed", "110.00", "card-1"));
        created(pay(acme, "succeeded", "100.00", "wire-1"));
        created(pay(acme, "succeeded", "10.00", "wire-2"));
        pay(acme, "succeeded", "10.00", "wire-2"); // a replay sends nothing
        t.server.engine().webhooks().deliverDue();
        List<WebhookReceiver.Received> got = receiver.received("/pay");
        assertThat(got).extracting(r -> r.json().get("type").asText())
                .containsExactly("invoice.payment_failed", "invoice.payment_succeeded");
        JsonNode paid = got.get(1).json().get("data");
        assertThat(paid.get("invoice").asText()).isEqualTo(acme);
        assertThat(paid.get("payment_status").asText()).isEqualTo("succeeded");
        assertThat(paid.get("amount_paid").asText()).isEqualTo("110.00");
        assertThat(paid.get("fact").get("reference").asText()).isEqualTo("wire-2");
        assertThat(got.get(0).json().get("data").get("payment_status").asText()).isEqualTo("failed");
    }
}

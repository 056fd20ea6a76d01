package dev.tally.server;

import static dev.tally.server.BillingFixtures.adjustment;
import static dev.tally.server.BillingFixtures.assertInvoice;
import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.event;
import static dev.tally.server.BillingFixtures.ingest;
import static dev.tally.server.BillingFixtures.invoiceFor;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.BillingFixtures.run;
import static dev.tally.server.BillingFixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A late cancel lowers a closed period so much that the next invoice's total is negative: it is finalized at 0 due
 * and its amount is carried to the customer's credit balance (a ledger entry), which pays the invoice after it;
 * voiding that invoice gives the credit back. Tokens at 0.01, 10 % tax, grace period 0, UTC.
 */
class NegativeInvoiceCreditTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant DEC_1 = Instant.parse("2026-12-01T00:00:00Z");
    static final Instant JAN_1 = Instant.parse("2027-01-01T00:00:00Z");
    static final Instant FEB_1 = Instant.parse("2027-02-01T00:00:00Z");

    MutableClock clock;
    TestServer t;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_1);
        t = new TestServer(clock);
        created(t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                + "\"value_path\":\"tokens\"}"));
        created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        created(t.post("/v1/plans", "{\"key\":\"metered\",\"currency\":\"USD\",\"interval\":\"monthly\","
                + "\"tax_rates\":[{\"name\":\"Tax\",\"percent\":\"10\"}],\"charges\":["
                + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}]}"));
        ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"metered\",\"start\":\"" + NOV_1 + "\"}"));
    }

    @AfterEach
    void stop() {
        t.close();
    }

    void tokens(String id, String time, int n) {
        ingest(t, List.of(event(id, "llm.tokens", "acme", Instant.parse(time), "{\"tokens\":" + n + "}")));
    }

    /** November 10,000 tokens (110.00); e2 (5,000) cancelled late in December; December 1,000; January 6,000. */
    void upToFebruary() {
        moveTo(clock, Instant.parse("2026-11-10T00:00:00Z"));
        tokens("e1", "2026-11-09T12:00:00Z", 5000);
        tokens("e2", "2026-11-09T13:00:00Z", 5000);
        moveTo(clock, DEC_1);
        run(t);
        moveTo(clock, Instant.parse("2026-12-10T00:00:00Z"));
        ok(t.post("/v1/events/test/e2/cancel", ""));
        tokens("e3", "2026-12-09T12:00:00Z", 1000);
        moveTo(clock, JAN_1);
        run(t);
        moveTo(clock, Instant.parse("2027-01-10T00:00:00Z"));
        tokens("e4", "2027-01-09T12:00:00Z", 6000);
        moveTo(clock, FEB_1);
        run(t);
    }

    static void assertCredits(JsonNode inv, String applied, String toBalance, String due) {
        assertThat(inv.get("credits").get("status").asText()).as(inv.toString()).isEqualTo("applied");
        assertThat(inv.get("credits").get("credits_applied").asText()).as(inv.toString()).isEqualTo(applied);
        assertThat(inv.get("credits").get("credit_to_balance").asText()).as(inv.toString()).isEqualTo(toBalance);
        assertThat(inv.get("amount_due").asText()).as(inv.toString()).isEqualTo(due);
        assertThat(inv.get("credits").get("amount_due").asText()).isEqualTo(due);
    }

    @Test
    void aNegativeTotalIsFinalizedAtZeroDueAndItsCreditPaysTheNextInvoice() {
        upToFebruary();

        JsonNode dec = invoiceFor(t, "acme", DEC_1);
        assertInvoice(dec, "100.00", "10.00", "110.00", usage("tokens", "10000", "100.00", "Tokens"));
        assertCredits(dec, "0.00", "0.00", "110.00");

        // December 1,000 tokens = 10.00; November loses 5,000 tokens = -50.00: subtotal -40.00, tax -4.00
        JsonNode jan = invoiceFor(t, "acme", JAN_1);
        assertThat(jan.get("status").asText()).isEqualTo("finalized");
        assertInvoice(jan, "-40.00", "-4.00", "-44.00", usage("tokens", "1000", "10.00", "Tokens"),
                adjustment("tokens", "-50.00", "quantity -5000"));
        assertCredits(jan, "0.00", "44.00", "0.00");
        assertThat(jan.get("credits").get("lines")).isEmpty();

        // January 6,000 tokens = 60.00 + 6.00 tax = 66.00, of which the 44.00 credit pays 44.00: 22.00 due
        JsonNode feb = invoiceFor(t, "acme", FEB_1);
        assertInvoice(feb, "60.00", "6.00", "66.00", usage("tokens", "6000", "60.00", "Tokens"));
        assertCredits(feb, "44.00", "0.00", "22.00");
        JsonNode line = feb.get("credits").get("lines").get(0);
        assertThat(line.get("amount").asText()).isEqualTo("44.00");
        assertThat(line.get("funding").asText()).isEqualTo("invoice_credit");
        assertThat(line.get("description").asText()).isEqualTo("Negative total of invoice " + jan.get("number").asText());

        // the invoice's credit and its drawdown are ledger entries: 44.00 granted, 44.00 drawn, nothing left
        JsonNode wallet = ok(t.get("/v1/customers/acme/wallets")).get("wallets").get(0);
        assertThat(wallet.get("currency").asText()).isEqualTo("USD");
        assertThat(wallet.get("balance").asText()).isEqualTo("0.00");
        JsonNode entries = ok(t.get("/v1/customers/acme/wallets/USD/entries")).get("entries");
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).get("kind").asText()).isEqualTo("grant");
        assertThat(entries.get(0).get("amount").asText()).isEqualTo("44.00");
        assertThat(entries.get(0).get("invoice").asText()).isEqualTo(jan.get("id").asText());
        assertThat(entries.get(1).get("kind").asText()).isEqualTo("drawdown");
        assertThat(entries.get(1).get("amount").asText()).isEqualTo("-44.00");
        assertThat(entries.get(1).get("invoice").asText()).isEqualTo(feb.get("id").asText());
    }

    @Test
    void voidingTheInvoiceThatDrewTheCreditGivesItBackAndOnlyThenTheNegativeInvoiceCanBeVoided() {
        upToFebruary();
        JsonNode jan = invoiceFor(t, "acme", JAN_1);
        JsonNode feb = invoiceFor(t, "acme", FEB_1);

        // the credit the January invoice carried was used by February's: voiding January first is refused
        TestServer.Reply refused = t.post("/v1/invoices/" + jan.get("id").asText() + "/void", "");
        assertThat(refused.status()).as(refused.body()).isEqualTo(409);
        assertThat(ok(t.get("/v1/invoices/" + jan.get("id").asText())).get("status").asText()).isEqualTo("finalized");

        ok(t.post("/v1/invoices/" + feb.get("id").asText() + "/void", ""));
        assertThat(ok(t.get("/v1/customers/acme/wallets")).get("wallets").get(0).get("balance").asText())
                .as("the void gives back exactly what February drew").isEqualTo("44.00");
        ok(t.post("/v1/invoices/" + jan.get("id").asText() + "/void", ""));
        JsonNode entries = ok(t.get("/v1/customers/acme/wallets/USD/entries")).get("entries");
        assertThat(entries).extracting(e -> e.get("kind").asText() + " " + e.get("amount").asText())
                .containsExactly("grant 44.00", "drawdown -44.00", "reversal 44.00", "void -44.00");
        assertThat(ok(t.get("/v1/customers/acme/wallets")).get("wallets").get(0).get("balance").asText()).isEqualTo("0.00");
    }

    @Test
    void lateUsageThatMovesAVolumePricedQuantityIntoACheaperTierCreditsTheBalance() {
        created(t.post("/v1/customers", "{\"external_id\":\"bulk\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        created(t.post("/v1/plans", "{\"key\":\"volume\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\",\"price\":{\"model\":\"volume\","
                + "\"tiers\":[{\"up_to\":\"1000\",\"unit_price\":\"0.10\"},{\"up_to\":null,\"unit_price\":\"0.01\"}]}}]}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"bulk\",\"plan\":\"volume\",\"start\":\"" + NOV_1 + "\"}"));
        moveTo(clock, Instant.parse("2026-11-10T00:00:00Z"));
        ingest(t, List.of(event("v1", "llm.tokens", "bulk", Instant.parse("2026-11-09T12:00:00Z"), "{\"tokens\":900}")));
        moveTo(clock, DEC_1);
        run(t);
        // a late November event: 1,100 tokens all at 0.01 = 11.00 instead of 900 at 0.10 = 90.00: -79.00
        moveTo(clock, Instant.parse("2026-12-05T00:00:00Z"));
        ingest(t, List.of(event("v2", "llm.tokens", "bulk", Instant.parse("2026-11-20T12:00:00Z"), "{\"tokens\":200}"),
                event("v3", "llm.tokens", "bulk", Instant.parse("2026-12-04T12:00:00Z"), "{\"tokens\":100}")));
        moveTo(clock, JAN_1);
        run(t);

        JsonNode dec = invoiceFor(t, "bulk", DEC_1);
        assertThat(dec.get("total").asText()).isEqualTo("90.00");
        // December 100 tokens at 0.10 = 10.00, November -79.00: total -69.00, due 0, 69.00 to the balance
        JsonNode jan = invoiceFor(t, "bulk", JAN_1);
        assertInvoice(jan, "-69.00", "0.00", "-69.00", usage("tokens", "100", "10.00", "Tokens"),
                adjustment("tokens", "-79.00", "quantity +200"));
        assertCredits(jan, "0.00", "69.00", "0.00");
        assertThat(ok(t.get("/v1/customers/bulk/wallets")).get("wallets").get(0).get("balance").asText()).isEqualTo("69.00");
    }

    @Test
    void theRenderedInvoicesShowTheCreditsAndTheAmountDue() throws Exception {
        upToFebruary();
        String jan = html(invoiceFor(t, "acme", JAN_1).get("id").asText());
        String feb = html(invoiceFor(t, "acme", FEB_1).get("id").asText());

        assertThat(jan).contains("Credited to your balance", "$44.00", "Amount due", "$0.00");
        assertThat(feb).contains("Credit: Negative total of invoice", "-$44.00", "Amount due", "$22.00");
    }

    String html(String id) throws Exception {
        HttpResponse<String> r = t.client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + t.server.port()
                        + "/v1/invoices/" + id)).header("Authorization", "Bearer " + TestServer.KEY)
                .header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}

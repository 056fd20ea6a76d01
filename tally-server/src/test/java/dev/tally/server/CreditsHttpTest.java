package dev.tally.server;

import static dev.tally.server.BillingFixtures.assertInvoice;
import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.event;
import static dev.tally.server.BillingFixtures.flat;
import static dev.tally.server.BillingFixtures.ingest;
import static dev.tally.server.BillingFixtures.invoiceFor;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.BillingFixtures.run;
import static dev.tally.server.BillingFixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Credits over HTTP across two periods with a fake clock: three grants (a promotion drawn first by priority, prepaid
 * credits bought at a price, a tokens-only grant that expires mid-period), an invoice paid entirely by credits
 * (finalized at 0 due and marked paid), the next one paid in part, voids that restore exactly what was drawn, and
 * the ledger read a page at a time. Tokens at 0.01, platform fee 20.00 in arrears, 10 % tax, UTC, grace 0.
 */
class CreditsHttpTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant DEC_1 = Instant.parse("2026-12-01T00:00:00Z");
    static final Instant JAN_1 = Instant.parse("2027-01-01T00:00:00Z");

    MutableClock clock;
    TestServer t;
    String promo;
    String prepaid;
    String tokensOnly;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_1);
        t = new TestServer(clock);
        created(t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                + "\"value_path\":\"tokens\"}"));
        created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        created(t.post("/v1/plans", "{\"key\":\"pro\",\"currency\":\"USD\",\"interval\":\"monthly\","
                + "\"tax_rates\":[{\"name\":\"Tax\",\"percent\":\"10\"}],\"charges\":["
                + "{\"key\":\"platform\",\"type\":\"flat\",\"name\":\"Platform\",\"amount\":\"20.00\",\"timing\":\"in_arrears\"},"
                + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}]}"));
        ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"start\":\"" + NOV_1 + "\"}"));
        promo = grant("{\"amount\":\"30.00\",\"priority\":1,\"expires_at\":\"2026-12-15T00:00:00Z\",\"reason\":\"Welcome promo\"}");
        prepaid = grant("{\"amount\":\"100.00\",\"funding\":\"paid\",\"price\":\"90.00\",\"reason\":\"Prepaid credits\"}");
        tokensOnly = grant("{\"amount\":\"15.00\",\"priority\":50,\"applies_to\":[\"tokens\"],"
                + "\"expires_at\":\"2026-11-20T00:00:00Z\",\"reason\":\"Tokens credit\"}");
    }

    @AfterEach
    void stop() {
        t.close();
    }

    String grant(String body) {
        return created(t.post("/v1/customers/acme/grants", body)).get("id").asText();
    }

    void tokens(String id, String time, int n) {
        ingest(t, List.of(event(id, "llm.tokens", "acme", Instant.parse(time), "{\"tokens\":" + n + "}")));
    }

    JsonNode wallet() {
        return ok(t.get("/v1/customers/acme/wallets")).get("wallets").get(0);
    }

    List<String> ledger() {
        List<String> out = new ArrayList<>();
        ok(t.get("/v1/customers/acme/wallets/USD/entries")).get("entries")
                .forEach(e -> out.add(e.get("kind").asText() + " " + e.get("amount").asText()));
        return out;
    }

    /** November 5,000 tokens (77.00 with the fee and tax), December 3,000 (55.00). */
    void twoPeriods() {
        moveTo(clock, Instant.parse("2026-11-10T00:00:00Z"));
        tokens("e1", "2026-11-09T12:00:00Z", 5000);
        moveTo(clock, DEC_1);
        run(t);
        moveTo(clock, Instant.parse("2026-12-10T00:00:00Z"));
        tokens("e2", "2026-12-09T12:00:00Z", 3000);
        moveTo(clock, JAN_1);
        run(t);
    }

    @Test
    void invoicesDrawCreditsByPriorityThenExpiryAndAnInvoicePaidByCreditsIsPaidAtZeroDue() {
        twoPeriods();

        // December 1: the tokens-only grant expired on November 20 (15.00 never used); 70.00 + 7.00 tax = 77.00
        // is paid by the promotion first (priority 1: 30.00), then the prepaid credits (47.00): 0 due, paid
        JsonNode dec = invoiceFor(t, "acme", DEC_1);
        assertInvoice(dec, "70.00", "7.00", "77.00", flat("platform", "20.00", "Platform"),
                usage("tokens", "5000", "50.00", "Tokens"));
        assertThat(dec.get("status").asText()).isEqualTo("paid");
        assertThat(dec.get("amount_due").asText()).isEqualTo("0.00");
        assertThat(dec.get("credits").get("lines")).extracting(l -> l.get("grant").asText() + " "
                + l.get("description").asText() + " " + l.get("amount").asText())
                .containsExactly(promo + " Welcome promo 30.00", prepaid + " Prepaid credits 47.00");

        // January 1: 50.00 + 5.00 = 55.00; the promotion has nothing left, the prepaid credits pay their last 53.00
        JsonNode jan = invoiceFor(t, "acme", JAN_1);
        assertInvoice(jan, "50.00", "5.00", "55.00", flat("platform", "20.00", "Platform"),
                usage("tokens", "3000", "30.00", "Tokens"));
        assertThat(jan.get("status").asText()).isEqualTo("finalized");
        assertThat(jan.get("credits").get("credits_applied").asText()).isEqualTo("53.00");
        assertThat(jan.get("amount_due").asText()).isEqualTo("2.00");

        assertThat(ledger()).containsExactly("grant 30.00", "grant 100.00", "grant 15.00", "expiry -15.00",
                "drawdown -30.00", "drawdown -47.00", "drawdown -53.00");
        assertThat(wallet().get("balance").asText()).isEqualTo("0.00");
        JsonNode grants = ok(t.get("/v1/customers/acme/grants")).get("grants");
        assertThat(grants).extracting(g -> g.get("id").asText() + " " + g.get("state").asText() + " "
                + g.get("balance").asText() + " " + g.get("funding").asText())
                .containsExactly(promo + " expired 0.00 free", prepaid + " depleted 0.00 paid",
                        tokensOnly + " expired 0.00 free");
        assertThat(grants.get(1).get("price").asText()).isEqualTo("90.00");
    }

    @Test
    void voidsGiveBackExactlyWhatEachInvoiceDrewAndCreditsGivenBackToAnExpiredGrantExpireAgain() {
        twoPeriods();
        String jan = invoiceFor(t, "acme", JAN_1).get("id").asText();
        String dec = invoiceFor(t, "acme", DEC_1).get("id").asText();

        ok(t.post("/v1/invoices/" + jan + "/void", ""));
        assertThat(wallet().get("balance").asText()).isEqualTo("53.00");
        // December was paid by credits only: it can be voided, and gives back 30.00 and 47.00
        ok(t.post("/v1/invoices/" + dec + "/void", ""));
        assertThat(wallet().get("balance").asText()).isEqualTo("130.00");
        assertThat(wallet().get("usable_balance").asText()).as("the promotion expired on December 15").isEqualTo("100.00");
        run(t);
        assertThat(ledger()).containsExactly("grant 30.00", "grant 100.00", "grant 15.00", "expiry -15.00",
                "drawdown -30.00", "drawdown -47.00", "drawdown -53.00", "reversal 53.00", "reversal 30.00",
                "reversal 47.00", "expiry -30.00");
        assertThat(wallet().get("balance").asText()).isEqualTo("100.00");
        TestServer.Reply again = t.post("/v1/invoices/" + dec + "/void", "");
        assertThat(again.status()).as(again.body()).isEqualTo(409);
    }

    @Test
    void theLiveBalanceIsWhatWouldBeLeftIfTheCurrentPeriodWereInvoicedNow() {
        moveTo(clock, Instant.parse("2026-11-10T00:00:00Z"));
        tokens("e1", "2026-11-09T12:00:00Z", 5000);

        // estimate 20.00 + 50.00 + 7.00 tax = 77.00: promotion 30.00, tokens-only 15.00 (priority 50, tokens lines),
        // prepaid 32.00; 145.00 - 77.00 = 68.00 left
        JsonNode w = wallet();
        assertThat(w.get("balance").asText()).isEqualTo("145.00");
        assertThat(w.get("usable_balance").asText()).isEqualTo("145.00");
        assertThat(w.get("live_balance").asText()).isEqualTo("68.00");
        // the ledger is untouched: nothing is drawn before an invoice is finalized
        assertThat(ledger()).containsExactly("grant 30.00", "grant 100.00", "grant 15.00");
    }

    @Test
    void theLedgerIsReadAPageAtATime() {
        twoPeriods();
        JsonNode first = ok(t.get("/v1/customers/acme/wallets/USD/entries?limit=4"));
        assertThat(first.get("entries")).extracting(e -> e.get("sequence").asInt()).containsExactly(1, 2, 3, 4);
        String cursor = first.get("next_cursor").asText();
        JsonNode rest = ok(t.get("/v1/customers/acme/wallets/USD/entries?limit=4&cursor=" + cursor));
        assertThat(rest.get("entries")).extracting(e -> e.get("sequence").asInt()).containsExactly(5, 6, 7);
        assertThat(rest.get("next_cursor").isNull()).isTrue();
        JsonNode drawdown = rest.get("entries").get(0);
        assertThat(drawdown.get("kind").asText()).isEqualTo("drawdown");
        assertThat(drawdown.get("grant").asText()).isEqualTo(promo);
        assertThat(drawdown.get("invoice").asText()).isEqualTo(invoiceFor(t, "acme", DEC_1).get("id").asText());
    }

    @Test
    void grantsAreVoidedAndAdjustedByHandWithAReasonAndNeverBelowZero() {
        JsonNode adjusted = created(t.post("/v1/customers/acme/grants/" + prepaid + "/adjustments",
                "{\"amount\":\"-10.00\",\"reason\":\"billed twice\"}"));
        assertThat(adjusted.get("kind").asText()).isEqualTo("adjustment");
        assertThat(adjusted.get("reason").asText()).isEqualTo("billed twice");
        assertThat(adjusted.get("source").asText()).startsWith("api_key:");
        JsonNode voided = ok(t.post("/v1/customers/acme/grants/" + promo + "/void", "{\"reason\":\"campaign cancelled\"}"));
        assertThat(voided.get("amount").asText()).isEqualTo("-30.00");
        assertThat(wallet().get("balance").asText()).isEqualTo("105.00");

        assertStatus(t.post("/v1/customers/acme/grants/" + promo + "/void", "{}"), 409);
        assertStatus(t.post("/v1/customers/acme/grants/" + prepaid + "/adjustments",
                "{\"amount\":\"-90.01\",\"reason\":\"too much\"}"), 400);
        assertStatus(t.post("/v1/customers/acme/grants/" + prepaid + "/adjustments", "{\"amount\":\"5.00\"}"), 400);
        assertStatus(t.post("/v1/customers/acme/grants/gr_nope/void", "{}"), 404);
        assertStatus(t.post("/v1/customers/nobody/grants", "{\"amount\":\"5.00\"}"), 404);
        assertStatus(t.post("/v1/customers/acme/grants", "{\"amount\":\"5.001\"}"), 400);
        assertStatus(t.post("/v1/customers/acme/grants", "{\"amount\":\"5.00\",\"funding\":\"invoice_credit\"}"), 400);
        assertStatus(t.post("/v1/customers/acme/grants", "{\"amount\":\"5.00\",\"funding\":\"paid\"}"), 400);
        assertStatus(t.post("/v1/customers/acme/grants", "{\"amount\":\"5.00\",\"colour\":\"red\"}"), 400);
        assertStatus(t.post("/v1/customers/acme/grants", "{\"amount\":\"5.00\",\"effective_from\":\"2026-12-01T00:00:00Z\","
                + "\"expires_at\":\"2026-11-01T00:00:00Z\"}"), 400);
        assertStatus(t.get("/v1/customers/acme/wallets/usd/entries"), 400);
        assertThat(ledger()).containsExactly("grant 30.00", "grant 100.00", "grant 15.00", "adjustment -10.00",
                "void -30.00");
    }

    @Test
    void reconciliationProvesTheLedgerAgainstTheInvoicesAndFindsATamperedInvoice() throws Exception {
        twoPeriods();
        JsonNode ledger = ok(t.get("/v1/reconciliation")).get("ledger");
        assertThat(ledger.get("consistent").asBoolean()).as(ledger.toString()).isTrue();
        assertThat(ledger.get("wallets").asInt()).isEqualTo(1);
        assertThat(ledger.get("entries").asInt()).isEqualTo(7);
        assertThat(ledger.get("invoices").asInt()).isEqualTo(2);

        // an invoice whose recorded credits name another grant than the ledger's drawdown
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + t.dir.resolve("tally.db"));
                java.sql.Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout=5000");
            st.executeUpdate("UPDATE invoices SET credits = replace(credits, '" + prepaid + "', '" + tokensOnly + "') "
                    + "WHERE amount_due = '0.00'");
        }
        JsonNode report = ok(t.get("/v1/reconciliation"));
        assertThat(report.get("consistent").asBoolean()).isFalse();
        assertThat(report.get("ledger").get("differences")).singleElement()
                .satisfies(d -> assertThat(d.get("what").asText()).startsWith("credits of invoice "));
    }

    @Test
    void aCreditNoteRefundedToTheWalletBecomesCreditsThatTheNextInvoiceDraws() {
        twoPeriods();
        created(t.post("/v1/customers/acme/grants/" + prepaid + "/adjustments", "{\"amount\":\"10.00\",\"reason\":\"top up\"}"));
        String jan = invoiceFor(t, "acme", JAN_1).get("id").asText();
        // the platform line (20.00) credited with its 10 % tax: 22.00 to the wallet, not as money
        String platform = null;
        for (JsonNode l : invoiceFor(t, "acme", JAN_1).get("lines")) {
            if (l.get("charge").asText().equals("platform")) {
                platform = l.get("id").asText();
            }
        }
        JsonNode note = created(t.post("/v1/credit-notes", "{\"invoice\":\"" + jan + "\",\"refund\":\"wallet\","
                + "\"reason\":\"outage\",\"lines\":[{\"line_id\":\"" + platform + "\"}]}"));
        assertThat(note.get("refund").asText()).isEqualTo("wallet");
        assertThat(note.get("total").asText()).isEqualTo("22.00");
        JsonNode grants = ok(t.get("/v1/customers/acme/grants")).get("grants");
        JsonNode refund = grants.get(grants.size() - 1);
        assertThat(refund.get("funding").asText()).isEqualTo("credit_note");
        assertThat(refund.get("amount").asText()).isEqualTo("22.00");
        assertThat(refund.get("source").asText()).isEqualTo("credit_note:" + note.get("id").asText());
        assertThat(refund.get("reason").asText()).isEqualTo("Credit note " + note.get("number").asText());
        assertThat(wallet().get("balance").asText()).isEqualTo("32.00");
        assertStatus(t.post("/v1/credit-notes", "{\"invoice\":\"" + jan + "\",\"refund\":\"cheque\"}"), 400);
        assertThat(ok(t.get("/v1/reconciliation")).get("ledger").get("consistent").asBoolean()).isTrue();
    }

    static void assertStatus(TestServer.Reply r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
    }
}

package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.BillingFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.engine.Engine;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.WebElement;

/**
 * Payments in a real headless Chromium: the dashboard's overdue list, an invoice's payment state, payment history
 * and dunning steps, the retry button (which makes a real retry step), and the portal's amounts due and paid per
 * invoice, each equal to what the API says.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebPaymentsTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");
    static MutableClock clock;
    static TestServer t;
    static WebBrowser b;
    static String late;
    static String partly;

    @BeforeAll
    static void setUp() throws Exception {
        clock = new MutableClock(NOV_1);
        t = new TestServer(clock);
        ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
        created(t.post("/v1/plans", "{\"key\":\"pro\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base fee\",\"amount\":\"100.00\",\"timing\":\"in_advance\"}]}"));
        for (String c : List.of("acme", "globex")) {
            created(t.post("/v1/customers", "{\"external_id\":\"" + c + "\",\"name\":\"" + c + " Inc\",\"timezone\":\"UTC\","
                    + "\"currency\":\"USD\",\"net_terms_days\":10}"));
            created(t.post("/v1/subscriptions", "{\"customer\":\"" + c + "\",\"plan\":\"pro\",\"start\":\"" + NOV_1 + "\"}"));
        }
        assertThat(run(t).get("finalized").asInt()).isEqualTo(2);
        late = ok(t.get("/v1/invoices?customer=acme")).get("invoices").get(0).get("id").asText();
        partly = ok(t.get("/v1/invoices?customer=globex")).get("invoices").get(0).get("id").asText();
        ok(t.put("/v1/dunning-policy", "{\"retry_days\":[1,3],\"reminder_days_before_due\":[3]}"));
        created(t.post("/v1/invoices/" + late + "/payments",
                "{\"outcome\":\"failed\",\"amount\":\"100.00\",\"reference\":\"card-1\",\"reason\":\"card declined\"}"));
        created(t.post("/v1/invoices/" + partly + "/payments",
                "{\"outcome\":\"succeeded\",\"amount\":\"40.00\",\"reference\":\"wire-1\"}"));
        moveTo(clock, Instant.parse("2026-11-02T00:00:00Z"));
        t.server.engine().dunning().run(Engine.DEFAULT_TENANT);
        created(t.post("/v1/invoices/" + partly + "/payments",
                "{\"outcome\":\"succeeded\",\"amount\":\"60.00\",\"reference\":\"wire-2\"}"));
        moveTo(clock, Instant.parse("2026-11-12T00:00:00Z"));
        t.server.engine().dunning().run(Engine.DEFAULT_TENANT);
        b = new WebBrowser(t.server.port());
    }

    @AfterAll
    static void tearDown() {
        try {
            if (b != null) {
                b.close();
            }
        } finally {
            if (t != null) {
                t.close();
            }
        }
    }

    static void signIn() {
        b.open("/");
        b.js("sessionStorage.setItem('tally.adminKey', arguments[0]);", TestServer.KEY);
    }

    @Test
    @Order(1)
    void theOverdueListShowsExactlyTheApisOverdueInvoices() {
        JsonNode overdue = ok(t.get("/v1/invoices?overdue=true")).get("invoices");
        assertThat(overdue).hasSize(1);
        signIn();
        b.open("/#/invoices?payment=overdue");
        b.waitUntil("the overdue list", () -> b.all("table.invoices tbody tr").size() == overdue.size()
                && b.text("table.invoices").toLowerCase(java.util.Locale.ROOT).contains("overdue"));
        WebElement row = b.all("table.invoices tbody tr").get(0);
        assertThat(row.getText()).contains(overdue.get(0).get("number").asText());
        assertThat(row.getText().toLowerCase(java.util.Locale.ROOT)).contains("failed", "overdue");
        assertThat(b.one("table.invoices data.amount-remaining").getAttribute("value"))
                .isEqualTo(overdue.get(0).get("amount_remaining").asText());
        b.open("/#/invoices?payment=succeeded");
        b.waitUntil("the paid list", () -> b.text("table.invoices").contains(
                ok(t.get("/v1/invoices/" + partly)).get("number").asText()) && b.all("table.invoices tbody tr").size() == 1);
        assertThat(b.problems()).isEmpty();
    }

    @Test
    @Order(2)
    void anInvoiceShowsItsPaymentHistoryAndDunningAndTheRetryButtonRetries() {
        JsonNode inv = ok(t.get("/v1/invoices/" + late));
        signIn();
        b.open("/#/invoices/" + late);
        b.waitUntil("the payment history", () -> !b.all("table.payments tbody tr").isEmpty()
                && !b.all("table.dunning-steps tbody tr").isEmpty());
        assertThat(b.one("section.payment data.amount-remaining").getAttribute("value"))
                .isEqualTo(inv.get("amount_remaining").asText());
        assertThat(b.text("section.payment .payment-state").toLowerCase(java.util.Locale.ROOT)).contains("failed", "overdue");
        JsonNode ledger = ok(t.get("/v1/invoices/" + late + "/payments")).get("payments");
        assertThat(b.all("table.payments tbody tr")).hasSize(ledger.size());
        assertThat(b.text("table.payments")).contains("card declined");
        JsonNode dunning = ok(t.get("/v1/invoices/" + late + "/dunning"));
        assertThat(b.all("table.dunning-steps tbody tr"))
                .hasSize(dunning.get("steps").size() + dunning.get("upcoming").size());
        assertThat(b.text("table.dunning-steps").toLowerCase(java.util.Locale.ROOT))
                .contains("failure reminder", "retry", "uncollectible");
        b.screenshot("invoice-payment", 1280);

        int before = dunning.get("steps").size();
        b.one("button.retry-payment").click();
        b.waitUntil("the retry step", () -> b.text("table.dunning-steps").toLowerCase(java.util.Locale.ROOT)
                .contains("manual retry"));
        JsonNode after = ok(t.get("/v1/invoices/" + late + "/dunning")).get("steps");
        assertThat(after).hasSize(before + 1);
        assertThat(after.get(after.size() - 1).get("step").asText()).isEqualTo("manual_retry:1");
        assertThat(b.problems()).isEmpty();
    }

    @Test
    @Order(3)
    void thePortalShowsWhatIsDueAndPaidPerInvoice() {
        created(t.post("/v1/invoices/" + late + "/payments",
                "{\"outcome\":\"succeeded\",\"amount\":\"30.00\",\"reference\":\"wire-acme-1\"}"));
        JsonNode link = created(t.post("/v1/customers/acme/portal-tokens", "{\"ttl_seconds\":3600}"));
        JsonNode inv = ok(t.get("/v1/invoices/" + late));
        assertThat(inv.get("amount_paid").asText()).isEqualTo("30.00");
        // still on the dashboard's invoice page (same origin): forget the admin key there, without opening "/"
        // again, whose requests would still be under way when the key goes (a 401 in the console)
        b.js("sessionStorage.clear();");
        b.open(link.get("url").asText());
        b.waitUntil("the invoices to pay", () -> !b.all("table.invoices-to-pay data.amount-paid").isEmpty());
        assertThat(b.all("table.invoices-to-pay tbody tr")).hasSize(1);
        assertThat(b.one("table.invoices-to-pay data.amount-due").getAttribute("value")).isEqualTo(inv.get("amount_due").asText());
        assertThat(b.one("table.invoices-to-pay data.amount-paid").getAttribute("value")).isEqualTo("30.00");
        assertThat(b.one("table.invoices-to-pay data.amount-remaining").getAttribute("value"))
                .isEqualTo(inv.get("amount_remaining").asText()).isEqualTo("70.00");
        assertThat(b.text("table.invoices-to-pay").toLowerCase(java.util.Locale.ROOT)).contains("overdue", "2026-11-11",
                inv.get("number").asText().toLowerCase(java.util.Locale.ROOT));
        assertThat(b.text("body")).doesNotContain(ok(t.get("/v1/invoices/" + partly)).get("number").asText());
        b.screenshot("portal-payments", 1280);
        assertThat(b.problems()).isEmpty();
    }
}

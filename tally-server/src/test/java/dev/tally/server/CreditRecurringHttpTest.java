package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.invoices;
import static dev.tally.server.BillingFixtures.moveTo;
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
 * Recurring credits of a plan granted by billing runs, a paid grant bought with its invoice, and a wallet's
 * automatic top-up, over HTTP on port 0 with a fake clock. Platform fee 20.00 in arrears, no tax, UTC, grace 0.
 */
class CreditRecurringHttpTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant DEC_1 = Instant.parse("2026-12-01T00:00:00Z");

    MutableClock clock;
    TestServer t;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_1);
        t = new TestServer(clock);
        created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
    }

    @AfterEach
    void stop() {
        t.close();
    }

    List<String> ledger() {
        List<String> out = new ArrayList<>();
        ok(t.get("/v1/customers/acme/wallets/USD/entries")).get("entries")
                .forEach(e -> out.add(e.get("kind").asText() + " " + e.get("amount").asText()));
        return out;
    }

    @Test
    void aPlansCreditGrantsAreGrantedEveryPeriodByBillingRunsAndRolledOver() {
        created(t.post("/v1/plans", "{\"key\":\"pro\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"platform\",\"type\":\"flat\",\"name\":\"Platform\",\"amount\":\"20.00\",\"timing\":\"in_arrears\"}],"
                + "\"credit_grants\":[{\"amount\":\"25.00\",\"rollover\":{\"up_to\":\"3.00\"},\"reason\":\"Monthly credits\"}]}"));
        JsonNode plan = ok(t.get("/v1/plans/pro"));
        assertThat(plan.toString()).contains("\"credit_grants\":[{\"amount\":\"25.00\"").contains("\"up_to\":\"3.00\"");
        created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"start\":\"" + NOV_1 + "\"}"));
        run(t);
        assertThat(ledger()).containsExactly("grant 25.00");
        moveTo(clock, DEC_1);
        run(t);
        run(t);
        // December 1: the invoice of 20.00 is paid by November's credits (5.00 left); 3.00 rolls over, 2.00 expires
        assertThat(ledger()).containsExactly("grant 25.00", "drawdown -20.00", "expiry -2.00", "grant 25.00");
        JsonNode grants = ok(t.get("/v1/customers/acme/grants")).get("grants");
        assertThat(grants).hasSize(2);
        assertThat(grants.get(1).get("effective_from").asText()).isEqualTo(DEC_1.toString());
        assertThat(grants.get(1).get("source").asText()).startsWith("subscription:sub_");
        assertThat(t.post("/v1/plans", "{\"key\":\"bad\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"platform\",\"type\":\"flat\",\"amount\":\"1\"}],\"credit_grants\":[{\"amount\":\"1\","
                + "\"applies_to\":[\"tokens\"]}]}").status()).isEqualTo(400);
    }

    @Test
    void aPaidGrantWithInvoiceIssuesAFinalizedOneOffInvoiceOfItsPrice() throws Exception {
        JsonNode g = created(t.post("/v1/customers/acme/grants", "{\"amount\":\"100.00\",\"funding\":\"paid\","
                + "\"price\":\"90.00\",\"invoice\":true,\"reason\":\"Prepaid credits\"}"));
        assertThat(g.get("state").asText()).isEqualTo("active");
        String invoiceId = g.get("invoice").get("id").asText();
        assertThat(g.get("invoice").get("number").asText()).isEqualTo("INV-000001");
        JsonNode inv = ok(t.get("/v1/invoices/" + invoiceId));
        assertThat(inv.get("status").asText()).isEqualTo("finalized");
        assertThat(inv.get("subscription").isNull()).isTrue();
        assertThat(inv.get("total").asText()).isEqualTo("90.00");
        assertThat(inv.get("lines").get(0).get("kind").asText()).isEqualTo("credit_purchase");
        assertThat(invoices(t, "acme")).hasSize(1);
        java.net.http.HttpResponse<String> html = t.client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://localhost:" + t.server.port() + "/v1/invoices/" + invoiceId))
                .header("Authorization", "Bearer " + TestServer.KEY).header("Accept", "text/html").GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.body()).contains("INV-000001").contains("Prepaid credits: 100.00 USD").contains("90.00");
        assertThat(t.post("/v1/customers/acme/grants", "{\"amount\":\"1.00\",\"invoice\":true}").status())
                .as("a free grant is not invoiced").isEqualTo(400);
        assertThat(t.post("/v1/customers/acme/grants", "{\"amount\":\"1.00\",\"funding\":\"paid\",\"price\":\"1.00\","
                + "\"invoice\":\"yes\"}").status()).isEqualTo(400);
        // a paid grant without "invoice" only records its price, as before
        created(t.post("/v1/customers/acme/grants", "{\"amount\":\"5.00\",\"funding\":\"paid\",\"price\":\"5.00\"}"));
        assertThat(invoices(t, "acme")).hasSize(1);
        ok(t.post("/v1/invoices/" + invoiceId + "/void", ""));
        assertThat(ledger()).containsExactly("grant 100.00", "grant 5.00", "void -100.00");
    }

    @Test
    void anAutoTopUpIsSetReadAndDeletedAndFiresOncePerCrossing() {
        String promo = created(t.post("/v1/customers/acme/grants", "{\"amount\":\"30.00\",\"reason\":\"promo\"}"))
                .get("id").asText();
        JsonNode set = ok(t.put("/v1/customers/acme/wallets/USD/auto-top-up",
                "{\"threshold\":\"20.00\",\"amount\":\"50.00\",\"price\":\"45.00\"}"));
        assertThat(set.get("armed").asBoolean()).isTrue();
        assertThat(set.get("fired").asInt()).isZero();
        assertThat(set.get("reason").asText()).isEqualTo("Automatic top-up");
        created(t.post("/v1/customers/acme/grants/" + promo + "/adjustments", "{\"amount\":\"-15.00\",\"reason\":\"used\"}"));
        run(t);
        run(t);
        JsonNode got = ok(t.get("/v1/customers/acme/wallets/USD/auto-top-up"));
        assertThat(got.get("fired").asInt()).isEqualTo(1);
        assertThat(ledger()).containsExactly("grant 30.00", "adjustment -15.00", "grant 50.00");
        assertThat(invoices(t, "acme")).extracting(i -> i.get("total").asText()).containsExactly("45.00");
        assertThat(t.put("/v1/customers/acme/wallets/USD/auto-top-up", "{\"threshold\":\"-1\",\"amount\":\"1\"}").status())
                .isEqualTo(400);
        assertThat(t.put("/v1/customers/acme/wallets/USD/auto-top-up", "{\"amount\":\"1\",\"when\":\"x\"}").status())
                .isEqualTo(400);
        assertThat(t.send("DELETE", "/v1/customers/acme/wallets/USD/auto-top-up", null, null, TestServer.KEY)
                .status()).isEqualTo(204);
        assertThat(t.get("/v1/customers/acme/wallets/USD/auto-top-up").status()).isEqualTo(404);
        assertThat(t.get("/v1/customers/acme/wallets/usd/auto-top-up").status()).isEqualTo(400);
    }

    @Test
    void anAutoTopUpComparesItsThresholdWithTheLiveBalanceTheWalletShows() {
        // the platform fee in advance is billed (20.00, no credits yet) by the opening invoice; nothing is left to
        // invoice in November, so the live balance is the whole 10.00 granted after it, above the 5.00 threshold
        created(t.post("/v1/plans", "{\"key\":\"pro\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"platform\",\"type\":\"flat\",\"name\":\"Platform\",\"amount\":\"20.00\",\"timing\":\"in_advance\"}]}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"start\":\"" + NOV_1 + "\"}"));
        run(t);
        assertThat(invoices(t, "acme")).extracting(i -> i.get("total").asText()).containsExactly("20.00");
        created(t.post("/v1/customers/acme/grants", "{\"amount\":\"10.00\",\"reason\":\"promo\"}"));
        assertThat(ok(t.get("/v1/customers/acme/wallets")).at("/wallets/0/live_balance").asText()).isEqualTo("10.00");
        JsonNode set = ok(t.put("/v1/customers/acme/wallets/USD/auto-top-up", "{\"threshold\":\"5.00\",\"amount\":\"50.00\"}"));
        assertThat(set.get("fired").asInt()).as("10.00 is not below 5.00").isZero();
        run(t);
        assertThat(ok(t.get("/v1/customers/acme/wallets/USD/auto-top-up")).get("fired").asInt()).isZero();
        assertThat(ledger()).containsExactly("grant 10.00");
    }

    @Test
    void grantsInACustomUnitAreExactMoneyAndShownInUnits() {
        created(t.post("/v1/plans", "{\"key\":\"pro\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"platform\",\"type\":\"flat\",\"name\":\"Platform\",\"amount\":\"3.33\",\"timing\":\"in_arrears\"}]}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"start\":\"" + NOV_1 + "\"}"));
        JsonNode g = created(t.post("/v1/customers/acme/grants",
                "{\"unit\":\"credits\",\"rate\":\"0.01\",\"amount\":\"1000\",\"reason\":\"Credits\"}"));
        assertThat(g.get("amount").asText()).isEqualTo("10.00");
        assertThat(g.get("unit").asText()).isEqualTo("credits");
        assertThat(g.get("unit_amount").asText()).isEqualTo("1000");
        assertThat(t.post("/v1/customers/acme/grants", "{\"unit\":\"credits\",\"rate\":\"0.02\",\"amount\":\"5\"}")
                .status()).as("a unit keeps its rate").isEqualTo(400);
        assertThat(t.post("/v1/customers/acme/grants", "{\"unit\":\"credits\",\"amount\":\"0.5\"}").status())
                .as("half a credit is half a cent").isEqualTo(400);
        assertThat(t.post("/v1/customers/acme/grants", "{\"unit\":\"tokens\",\"amount\":\"5\"}").status())
                .as("a new unit needs its rate").isEqualTo(400);
        moveTo(clock, DEC_1);
        run(t);
        // December's invoice of 3.33 is paid by 333 credits
        JsonNode unit = ok(t.get("/v1/customers/acme/wallets/USD/units")).get("units").get(0);
        assertThat(unit.get("unit").asText()).isEqualTo("credits");
        assertThat(unit.get("balance").asText()).isEqualTo("667");
        assertThat(unit.get("money_balance").asText()).isEqualTo("6.67");
        JsonNode grant = ok(t.get("/v1/customers/acme/grants")).get("grants").get(0);
        assertThat(grant.get("unit_balance").asText()).isEqualTo("667");
        assertThat(invoices(t, "acme").get(0).get("amount_due").asText()).isEqualTo("0.00");
    }
}

package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.event;
import static dev.tally.server.BillingFixtures.ingest;
import static dev.tally.server.BillingFixtures.invoiceFor;
import static dev.tally.server.BillingFixtures.invoices;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.BillingFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole money path of issue 12 over HTTP (server on port 0) with a fake clock, across three monthly periods
 * (November, December, January), on the embedded store and on PostgreSQL. One customer, one subscription to a plan
 * with a platform fee (20.00 in arrears), tokens (0.01 each), seats (10.00 each, in advance, increases billed at once,
 * decreases credited), 10 % tax and a recurring grant of 30.00 a month rolled over up to 10.00. On top of it: a
 * prepaid commitment of 100.00 for November and December (forfeited), a promotion of 15.00 expiring on December 15,
 * a coupon of 10 % for two periods, a negotiated rate of 0.008 a token from December, an automatic top-up, and at the
 * end the void of the invoice that credits paid in full. Every amount is computed by hand below (docs/CREDITS.md
 * §16 has the same computation in words). November has 30 days, December 31, January 31.
 *
 * <p>The order on an invoice (DISCOUNTS.md §1, COMMITMENTS.md §4): charges (overrides applied) → coupons → the
 * prepaid commitment's fee, drawdown and overage → tax on the subtotal → credits on the total → amount due.
 */
class MoneyPathEndToEndTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant DEC_1 = Instant.parse("2026-12-01T00:00:00Z");
    static final Instant JAN_1 = Instant.parse("2027-01-01T00:00:00Z");
    static final Instant FEB_1 = Instant.parse("2027-02-01T00:00:00Z");

    // ---- The hand computation -------------------------------------------------------------------------------
    // Opening invoice, Nov 1: seats 2 x 10.00 = 20.00 in advance; the commitment's fee 100.00 (never discounted;
    // the coupon is redeemed after this invoice anyway). The commitment pays the in-advance seats of its term
    // before tax: drawdown -20.00 (80.00 left). Subtotal 20.00 + 100.00 - 20.00 = 100.00, tax 10.00, total 110.00.
    // No credits: November's 30.00 is granted only once this invoice is finalized; the promotion comes later.
    static final String OPEN_SUBTOTAL = "100.00";
    static final String OPEN_TAX = "10.00";
    static final String OPEN_TOTAL = "110.00";

    // November (invoice of Dec 1): seats 2 -> 5 on Nov 11: (50 - 20) x 20/30 = 20.00; 5 -> 3 on Nov 21:
    // (30 - 50) x 10/30 = -6.666... = -6.67 (rounded once). Tokens 4,000 x 0.01 = 40.00 (the override starts in
    // December). Platform 20.00. December's seats in advance 3 x 10.00 = 30.00. Charges 20 + 40 + 20 - 6.67 + 30
    // = 103.33. Coupon 10 % per charge: platform 2.00, tokens 4.00, seats 10 % of 43.33 = 4.333 = 4.33; 10.33 in
    // all, 93.00 left. The commitment pays min(80.00 left, 93.00) = 80.00 (0.00 left; the rest at overage rate 1 is
    // list price: no overage line). Subtotal 93.00 - 80.00 = 13.00, tax 1.30, total 14.30. Credits: the promotion
    // (priority 1) pays all 14.30 before November's grant (priority 100): due 0.00, paid.
    static final String SEATS_UP = "20.00";
    static final String SEATS_DOWN = "-6.67";
    static final String NOV_SUBTOTAL = "13.00";
    static final String NOV_TAX = "1.30";
    static final String NOV_TOTAL = "14.30";

    // December 1 boundary: November's grant has 30.00 left, rollover up to 10.00 keeps 10.00: expiry -20.00; then
    // December's 30.00. Balance 10.00 + 30.00 + the promotion's 0.70 = 40.70. Dec 15: the promotion expires with
    // 0.70 left (expiry -0.70, balance 40.00).

    // December (invoice of Jan 1): tokens 5,000 x 0.008 (override) = 40.00; platform 20.00; January's seats in
    // advance 3 x 10.00 = 30.00: 90.00. Coupon (its second and last period) 10 %: 2.00 + 4.00 + 3.00 = 9.00.
    // The commitment has nothing left (its term ends Jan 1): nothing drawn. Subtotal 81.00, tax 8.10, total 89.10.
    // Credits (same priority, neither expires, oldest first): November's rolled-over 10.00, December's 30.00 =
    // 40.00; due 49.10.
    static final String DEC_SUBTOTAL = "81.00";
    static final String DEC_TAX = "8.10";
    static final String DEC_TOTAL = "89.10";
    static final String DEC_CREDITS = "40.00";
    static final String DEC_DUE = "49.10";

    // January 1 boundary: nothing left to roll over; January's 30.00. Balance 30.00.
    // Jan 1 01:00 the top-up is set: threshold 5.00, 200.00 at 180.00. The live balance is what would be left if
    // January were invoiced now, without what is already on an invoice (January's seats, billed on Jan 1):
    // platform 20.00 + tax 2.00 = 22.00, so 30.00 - 22.00 = 8.00 >= 5.00: armed, not fired. Jan 20, 6,000 tokens
    // at 0.008 = 48.00: 20.00 + 48.00 + 6.80 tax = 74.80 > 30.00, live 0.00 < 5.00: that day's billing run buys
    // the top-up (grant +200.00, a one-off invoice of 180.00 without tax) and disarms it. Balance 230.00, live
    // 230.00 - 74.80 = 155.20.

    // January (invoice of Feb 1): tokens 6,000 x 0.008 = 48.00; platform 20.00; February's seats 30.00: 98.00. No
    // coupon, no commitment. Tax 9.80, total 107.80. Credits: January's 30.00, then the top-up's 77.80: due 0.00,
    // paid. Feb 1 boundary: nothing to roll over; February's 30.00. Balance 122.20 + 30.00 = 152.20; live 152.20 -
    // 22.00 = 130.20 >= 5.00: the top-up re-arms and does not fire again (fired = 1).
    static final String JAN_SUBTOTAL = "98.00";
    static final String JAN_TAX = "9.80";
    static final String JAN_TOTAL = "107.80";
    static final String TOP_UP_DRAWN = "-77.80";

    // Void of the invoice of Dec 1 (paid by the promotion): reversal +14.30 to the promotion, which expired on Dec
    // 15, so the next run expires it again (-14.30); the commitment gets its 80.00 back and, its term being over,
    // forfeits it again. The wallet ends at 152.20.
    static final String END_BALANCE = "152.20";

    MutableClock clock;
    TestServer t;
    String sub;

    static Stream<String> stores() {
        return TestServer.stores();
    }

    @AfterEach
    void stop() {
        if (t != null) {
            t.close();
        }
    }

    void start(String store) throws Exception {
        clock = new MutableClock(NOV_1);
        t = TestServer.on(store, clock);
    }

    void tokens(String id, String time, int n) {
        ingest(t, List.of(event(id, "llm.tokens", "acme", Instant.parse(time), "{\"tokens\":" + n + "}")));
    }

    void seats(int n) {
        created(t.post("/v1/subscriptions/" + sub + "/quantities", "{\"charge\":\"seats\",\"quantity\":" + n + "}"));
    }

    /** The invoice's lines as "kind charge amount". */
    static List<String> lines(JsonNode inv) {
        List<String> out = new ArrayList<>();
        inv.get("lines").forEach(l -> out.add(l.get("kind").asText() + " " + l.get("charge").asText() + " "
                + l.get("amount").asText()));
        return out;
    }

    List<String> ledger() {
        List<String> out = new ArrayList<>();
        ok(t.get("/v1/customers/acme/wallets/USD/entries?limit=100")).get("entries")
                .forEach(e -> out.add(e.get("kind").asText() + " " + e.get("amount").asText()));
        return out;
    }

    List<String> commitmentEntries(String cm) {
        List<String> out = new ArrayList<>();
        ok(t.get("/v1/subscriptions/" + sub + "/commitments/" + cm)).get("entries")
                .forEach(e -> out.add(e.get("kind").asText() + " " + e.get("amount").asText()));
        return out;
    }

    JsonNode wallet() {
        return ok(t.get("/v1/customers/acme/wallets")).get("wallets").get(0);
    }

    static void assertTotals(JsonNode inv, String subtotal, String tax, String total, String credits, String due,
            String status) {
        assertThat(inv.get("subtotal").asText()).as("subtotal of " + inv).isEqualTo(subtotal);
        assertThat(inv.get("tax").asText()).as("tax").isEqualTo(tax);
        assertThat(inv.get("total").asText()).as("total").isEqualTo(total);
        assertThat(inv.get("credits").get("credits_applied").asText()).as("credits applied").isEqualTo(credits);
        assertThat(inv.get("amount_due").asText()).as("amount due").isEqualTo(due);
        assertThat(inv.get("status").asText()).as("status").isEqualTo(status);
        // total due + credits applied = total before credits
        assertThat(new java.math.BigDecimal(due).add(new java.math.BigDecimal(credits)))
                .isEqualByComparingTo(new java.math.BigDecimal(total));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void threePeriodsOfEveryMoneyFeatureAddUpToTheHandComputation(String store) throws Exception {
        start(store);
        created(t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                + "\"value_path\":\"tokens\"}"));
        created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        created(t.post("/v1/plans", "{\"key\":\"pro\",\"currency\":\"USD\",\"interval\":\"monthly\","
                + "\"tax_rates\":[{\"name\":\"Tax\",\"percent\":\"10\"}],\"charges\":["
                + "{\"key\":\"platform\",\"type\":\"flat\",\"name\":\"Platform\",\"amount\":\"20.00\",\"timing\":\"in_arrears\"},"
                + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}},"
                + "{\"key\":\"seats\",\"type\":\"licensed\",\"name\":\"Seats\",\"price\":{\"model\":\"unit\",\"unit_price\":\"10\"},"
                + "\"increase\":\"immediate\",\"decrease\":\"credit\"}],"
                + "\"credit_grants\":[{\"amount\":\"30.00\",\"rollover\":{\"up_to\":\"10.00\"},\"reason\":\"Monthly credits\"}]}"));
        ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
        sub = created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"start\":\"" + NOV_1 + "\"}"))
                .get("id").asText();
        seats(2);
        String cm = created(t.post("/v1/subscriptions/" + sub + "/commitments", "{\"type\":\"prepaid\",\"name\":\"Commit\","
                + "\"amount\":\"100.00\",\"ends_at\":\"" + JAN_1 + "\",\"at_term_end\":\"forfeit\"}")).get("id").asText();
        String ovr = created(t.post("/v1/subscriptions/" + sub + "/overrides", "{\"charge\":\"tokens\",\"effective_from\":\""
                + DEC_1 + "\",\"price\":{\"model\":\"unit\",\"unit_price\":\"0.008\"},\"reason\":\"negotiated\"}"))
                .get("id").asText();
        created(t.post("/v1/coupons", "{\"key\":\"launch\",\"name\":\"Launch\",\"percent_off\":\"10\","
                + "\"duration\":\"repeating\",\"duration_periods\":2}"));
        run(t);

        // ---- Nov 1: the opening invoice
        JsonNode open = invoiceFor(t, "acme", NOV_1);
        assertThat(lines(open)).containsExactlyInAnyOrder("licensed seats 20.00", "commitment_fee " + cm + " 100.00",
                "commitment_drawdown " + cm + " -20.00");
        assertTotals(open, OPEN_SUBTOTAL, OPEN_TAX, OPEN_TOTAL, "0.00", OPEN_TOTAL, "finalized");
        assertThat(ledger()).containsExactly("grant 30.00");

        // after the opening invoice: the coupon (covering November and December) and the promotion
        moveTo(clock, Instant.parse("2026-11-01T00:00:01Z"));
        created(t.post("/v1/subscriptions/" + sub + "/discounts", "{\"coupon\":\"launch\"}"));
        String promo = created(t.post("/v1/customers/acme/grants", "{\"amount\":\"15.00\",\"priority\":1,"
                + "\"expires_at\":\"2026-12-15T00:00:00Z\",\"reason\":\"Welcome promo\"}")).get("id").asText();

        // ---- November: seats up and down, tokens
        moveTo(clock, Instant.parse("2026-11-11T00:00:00Z"));
        seats(5);
        tokens("e1", "2026-11-10T12:00:00Z", 4000);
        moveTo(clock, Instant.parse("2026-11-21T00:00:00Z"));
        seats(3);
        // The estimate of November so far (GET /usage, before commitments) is platform 20.00 + tokens 40.00 + seats
        // 20.00 + 20.00 - 6.67 = 93.33, coupon -2.00 -4.00 -3.33 (10 % of 33.33): 84.00, tax 8.40, 92.40.
        // The live balance counts what November's invoices have still to bill: the seats' base 20.00 is on the
        // opening invoice (and was drawn from the commitment there), the changes stay: 20.00 + 40.00 + 20.00 - 6.67
        // = 73.33; the coupon as the closing invoice applies it: -2.00 -4.00 -1.33 (10 % of 13.33 = 1.333): 66.00;
        // the prepaid commitment pays min(80.00 left, 66.00) = 66.00 before tax (overage rate 1: no overage):
        // subtotal 0.00, tax 0.00, total 0.00. Live 45.00 - 0.00 = 45.00 (was 0.00 while the commitment was
        // ignored). Check against the invoice of Dec 1 below: November's 66.00 + December's seats 30.00 - 3.00 =
        // 93.00, the commitment pays its 80.00: 13.00 (NOV_SUBTOTAL).
        assertThat(ok(t.get("/v1/customers/acme/usage")).get("estimated_total").asText()).isEqualTo("92.40");
        assertThat(wallet().get("balance").asText()).isEqualTo("45.00");
        assertThat(wallet().get("live_balance").asText()).isEqualTo("45.00");
        moveTo(clock, DEC_1);
        run(t);
        JsonNode nov = invoiceFor(t, "acme", DEC_1);
        assertThat(lines(nov)).containsExactlyInAnyOrder("flat_fee platform 20.00", "usage tokens 40.00",
                "licensed_change seats " + SEATS_UP, "licensed_change seats " + SEATS_DOWN, "licensed seats 30.00",
                "discount platform -2.00", "discount tokens -4.00", "discount seats -4.33",
                "commitment_drawdown " + cm + " -80.00");
        assertTotals(nov, NOV_SUBTOTAL, NOV_TAX, NOV_TOTAL, NOV_TOTAL, "0.00", "paid");
        assertThat(nov.get("credits").get("lines")).extracting(l -> l.get("grant").asText() + " " + l.get("amount").asText())
                .containsExactly(promo + " 14.30");
        assertThat(ok(t.get("/v1/subscriptions/" + sub + "/commitments/" + cm)).get("balance").asText()).isEqualTo("0.00");
        // rollover of November's grant (10.00 of 30.00 kept), December's grant
        assertThat(ledger()).containsExactly("grant 30.00", "grant 15.00", "drawdown -14.30", "expiry -20.00",
                "grant 30.00");
        assertThat(wallet().get("balance").asText()).isEqualTo("40.70");

        // ---- December: the promotion expires mid-period, tokens at the negotiated rate
        moveTo(clock, Instant.parse("2026-12-16T00:00:00Z"));
        assertThat(wallet().get("usable_balance").asText()).as("the promotion ended on Dec 15").isEqualTo("40.00");
        run(t);
        tokens("e2", "2026-12-16T00:00:00Z", 5000);
        assertThat(ledger()).endsWith("expiry -0.70");
        assertThat(wallet().get("balance").asText()).isEqualTo("40.00");
        moveTo(clock, JAN_1);
        run(t);
        JsonNode dec = invoiceFor(t, "acme", JAN_1);
        assertThat(lines(dec)).containsExactlyInAnyOrder("flat_fee platform 20.00", "usage tokens 40.00",
                "licensed seats 30.00", "discount platform -2.00", "discount tokens -4.00", "discount seats -3.00");
        for (JsonNode l : dec.get("lines")) {
            if (l.get("charge").asText().equals("tokens") && l.get("kind").asText().equals("usage")) {
                assertThat(l.get("source").get("type").asText()).isEqualTo("price_override");
                assertThat(l.get("source").get("id").asText()).isEqualTo(ovr);
            }
        }
        assertTotals(dec, DEC_SUBTOTAL, DEC_TAX, DEC_TOTAL, DEC_CREDITS, DEC_DUE, "finalized");
        JsonNode grants = ok(t.get("/v1/customers/acme/grants")).get("grants");
        String novGrant = grants.get(0).get("id").asText();
        String decGrant = grants.get(2).get("id").asText();
        assertThat(grants.get(2).get("effective_from").asText()).isEqualTo(DEC_1.toString());
        assertThat(dec.get("credits").get("lines")).extracting(l -> l.get("grant").asText() + " " + l.get("amount").asText())
                .containsExactly(novGrant + " 10.00", decGrant + " 30.00");
        assertThat(ledger()).containsExactly("grant 30.00", "grant 15.00", "drawdown -14.30", "expiry -20.00",
                "grant 30.00", "expiry -0.70", "drawdown -10.00", "drawdown -30.00", "grant 30.00");

        // ---- Jan 1 01:00: the automatic top-up, armed: live balance 30.00 - (20.00 + 2.00 tax) = 8.00 >= 5.00
        moveTo(clock, Instant.parse("2027-01-01T01:00:00Z"));
        JsonNode topUp = ok(t.put("/v1/customers/acme/wallets/USD/auto-top-up",
                "{\"threshold\":\"5.00\",\"amount\":\"200.00\",\"price\":\"180.00\"}"));
        assertThat(topUp.get("fired").asInt()).isZero();
        assertThat(topUp.get("armed").asBoolean()).isTrue();
        assertThat(wallet().get("live_balance").asText()).isEqualTo("8.00");

        // ---- January: tokens at the negotiated rate, no coupon any more; the run of Jan 20 sees the live balance
        // 30.00 - (20.00 + 48.00 + 6.80 tax) -> 0.00 < 5.00 and buys the top-up, once
        moveTo(clock, Instant.parse("2027-01-20T00:00:00Z"));
        tokens("e3", "2027-01-19T00:00:00Z", 6000);
        assertThat(wallet().get("live_balance").asText()).isEqualTo("0.00");
        run(t);
        assertThat(ok(t.get("/v1/customers/acme/wallets/USD/auto-top-up")).get("fired").asInt()).isEqualTo(1);
        assertThat(wallet().get("balance").asText()).isEqualTo("230.00");
        assertThat(wallet().get("live_balance").asText()).isEqualTo("155.20");
        JsonNode purchase = invoices(t, "acme").stream().filter(i -> i.get("subscription").isNull()).findFirst()
                .orElseThrow();
        assertThat(purchase.get("total").asText()).as("no tax on a purchase of credits").isEqualTo("180.00");
        run(t);
        moveTo(clock, FEB_1);
        run(t);
        run(t);
        JsonNode jan = invoiceFor(t, "acme", FEB_1);
        assertThat(lines(jan)).containsExactlyInAnyOrder("flat_fee platform 20.00", "usage tokens 48.00",
                "licensed seats 30.00");
        assertTotals(jan, JAN_SUBTOTAL, JAN_TAX, JAN_TOTAL, JAN_TOTAL, "0.00", "paid");
        assertThat(ok(t.get("/v1/customers/acme/wallets/USD/auto-top-up")).get("fired").asInt())
                .as("fired once").isEqualTo(1);
        assertThat(wallet().get("balance").asText()).isEqualTo(END_BALANCE);
        assertThat(wallet().get("live_balance").asText()).isEqualTo("130.20");

        // ---- the void of the invoice credits paid in full gives back exactly what it drew
        moveTo(clock, Instant.parse("2027-02-01T02:00:00Z"));
        ok(t.post("/v1/invoices/" + nov.get("id").asText() + "/void", ""));
        assertThat(wallet().get("balance").asText()).isEqualTo("166.50");
        assertThat(commitmentEntries(cm)).as("forfeited again at once, the term being over")
                .containsExactly("grant 100.00", "drawdown -20.00", "drawdown -80.00", "reversal 80.00", "expiry -80.00");
        // the one reversal gives back exactly the one drawdown the void invoice made, to the same grant
        List<JsonNode> ofNov = new ArrayList<>();
        ok(t.get("/v1/customers/acme/wallets/USD/entries?limit=100")).get("entries").forEach(e -> {
            if (e.hasNonNull("invoice") && e.get("invoice").asText().equals(nov.get("id").asText())) {
                ofNov.add(e);
            }
        });
        assertThat(ofNov).extracting(e -> e.get("kind").asText() + " " + e.get("grant").asText() + " "
                + e.get("amount").asText()).containsExactly("drawdown " + promo + " -14.30", "reversal " + promo + " 14.30");
        run(t);
        assertThat(ledger()).containsExactly("grant 30.00", "grant 15.00", "drawdown -14.30", "expiry -20.00",
                "grant 30.00", "expiry -0.70", "drawdown -10.00", "drawdown -30.00", "grant 30.00",
                "grant 200.00", "drawdown -30.00", TOP_UP_DRAWN.replace("-", "drawdown -"), "grant 30.00",
                "reversal 14.30", "expiry -14.30");
        assertThat(wallet().get("balance").asText()).isEqualTo(END_BALANCE);
        assertThat(commitmentEntries(cm)).containsExactly("grant 100.00", "drawdown -20.00", "drawdown -80.00", "reversal 80.00",
                "expiry -80.00");
        assertThat(ok(t.get("/v1/customers/acme/wallets/USD/auto-top-up")).get("fired").asInt()).isEqualTo(1);

        JsonNode rec = ok(t.get("/v1/reconciliation"));
        assertThat(rec.get("ledger").get("consistent").asBoolean()).as(rec.toString()).isTrue();
        assertThat(rec.get("ledger").get("differences")).as(rec.toString()).isEmpty();
        assertThat(rec.get("consistent").asBoolean()).as(rec.toString()).isTrue();
    }
}

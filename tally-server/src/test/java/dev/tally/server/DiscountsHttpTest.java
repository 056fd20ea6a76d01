package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.event;
import static dev.tally.server.BillingFixtures.ingest;
import static dev.tally.server.BillingFixtures.invoiceFor;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.BillingFixtures.proPlanSubscription;
import static dev.tally.server.BillingFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Overrides and coupons over HTTP on port 0 with a fake clock: a negotiated token rate changed mid-period and then
 * ended, a coupon for two periods and a fixed amount once, each line naming what priced it in the JSON and in the
 * rendered invoice; and the errors (400 naming the field, 404, 409). Plan: tokens at 0.01, a 20.00 fee in arrears,
 * 10 % tax, UTC, grace 0.
 */
class DiscountsHttpTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant DEC_1 = Instant.parse("2026-12-01T00:00:00Z");
    static final Instant JAN_1 = Instant.parse("2027-01-01T00:00:00Z");

    MutableClock clock;
    TestServer t;
    String sub;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_1);
        t = new TestServer(clock);
        sub = proPlanSubscription(t, NOV_1);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    void tokens(String id, String time, int n) {
        ingest(t, List.of(event(id, "llm.tokens", "acme", Instant.parse(time), "{\"tokens\":" + n + "}")));
    }

    static List<String> lines(JsonNode inv) {
        List<String> out = new ArrayList<>();
        inv.get("lines").forEach(l -> out.add(l.get("kind").asText() + " " + l.get("charge").asText() + " "
                + l.get("amount").asText() + (l.get("source").isNull() ? "" : " " + l.get("source").get("type").asText()
                + ":" + l.get("source").get("id").asText() + ":" + l.get("source").get("version").asInt())));
        return out;
    }

    @Test
    void aNegotiatedRateAndTwoCouponsPriceThreeInvoices() throws Exception {
        JsonNode o = created(t.post("/v1/subscriptions/" + sub + "/overrides", "{\"charge\":\"tokens\","
                + "\"price\":{\"model\":\"graduated\",\"tiers\":[{\"up_to\":\"1000\",\"unit_price\":\"0.008\"},"
                + "{\"up_to\":null,\"unit_price\":\"0.004\"}]},\"reason\":\"enterprise\"}"));
        String ovr = o.get("id").asText();
        assertThat(o.get("versions")).hasSize(1);
        assertThat(o.get("version_in_force").asInt()).isEqualTo(1);
        created(t.post("/v1/coupons", "{\"key\":\"launch\",\"name\":\"Launch\",\"percent_off\":\"10\","
                + "\"duration\":\"repeating\",\"duration_periods\":2}"));
        created(t.post("/v1/coupons", "{\"key\":\"sorry\",\"name\":\"Sorry\",\"amount_off\":\"3.00\",\"currency\":\"USD\","
                + "\"applies_to\":[\"platform\"]}"));
        String launch = created(t.post("/v1/subscriptions/" + sub + "/discounts", "{\"coupon\":\"launch\"}")).get("id").asText();
        moveTo(clock, Instant.parse("2026-11-01T00:00:01Z"));
        String sorry = created(t.post("/v1/subscriptions/" + sub + "/discounts", "{\"coupon\":\"sorry\"}")).get("id").asText();
        assertThat(ok(t.get("/v1/subscriptions/" + sub + "/discounts")).get("discounts"))
                .extracting(d -> d.get("coupon").asText()).containsExactly("launch", "sorry");

        moveTo(clock, Instant.parse("2026-11-10T00:00:00Z"));
        tokens("e1", "2026-11-05T00:00:00Z", 1500);
        // from Nov 15 a flat 0.005 for tokens (version 2)
        created(t.post("/v1/subscriptions/" + sub + "/overrides/" + ovr + "/versions",
                "{\"effective_from\":\"2026-11-15T00:00:00Z\",\"price\":{\"model\":\"unit\",\"unit_price\":\"0.005\"}}"));
        moveTo(clock, Instant.parse("2026-11-20T00:00:00Z"));
        tokens("e2", "2026-11-18T00:00:00Z", 2000);
        moveTo(clock, DEC_1);
        run(t);

        // tokens Nov 1-15 (graduated, v1): 1,000 x 0.008 + 500 x 0.004 = 8.00 + 2.00; Nov 15 - Dec 1 (v2):
        // 2,000 x 0.005 = 10.00; platform 20.00. Launch 10 %: tokens 2.00 (20.00), platform 2.00; Sorry 3.00 off
        // platform (18.00 left). Subtotal 40.00 - 7.00 = 33.00; tax 3.30; total 36.30
        JsonNode dec = invoiceFor(t, "acme", DEC_1);
        // (charges whose override does not change in the period come first, then the stretches of one that does)
        assertThat(lines(dec)).containsExactly("flat_fee platform 20.00",
                "usage tokens 8.00 price_override:" + ovr + ":1", "usage tokens 2.00 price_override:" + ovr + ":1",
                "usage tokens 10.00 price_override:" + ovr + ":2",
                "discount platform -2.00 discount:" + launch + ":1", "discount tokens -2.00 discount:" + launch + ":1",
                "discount platform -3.00 discount:" + sorry + ":1");
        assertThat(dec.get("subtotal").asText()).isEqualTo("33.00");
        assertThat(dec.get("tax").asText()).isEqualTo("3.30");
        assertThat(dec.get("total").asText()).isEqualTo("36.30");
        JsonNode discountLine = dec.get("lines").get(6);
        assertThat(discountLine.get("source").get("coupon").asText()).isEqualTo("sorry");
        assertThat(discountLine.get("description").asText()).contains("Sorry (3.00 USD off)");

        // a credit note of the whole invoice gives back what it cost after discounts: 33.00 + 3.30, not 40.00 + tax
        JsonNode note = created(t.post("/v1/credit-notes", "{\"invoice\":\"" + dec.get("id").asText() + "\"}"));
        assertThat(note.get("subtotal").asText()).isEqualTo("33.00");
        assertThat(note.get("taxes").get(0).get("amount").asText()).isEqualTo("3.30");
        assertThat(t.post("/v1/credit-notes", "{\"invoice\":\"" + dec.get("id").asText() + "\"}").status())
                .as("nothing left to credit").isEqualTo(409);

        // the rendered invoice names the override version and the coupon
        HttpResponse<String> html = t.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + t.server.port()
                        + "/v1/invoices/" + dec.get("id").asText())).header("Authorization", "Bearer " + TestServer.KEY)
                .header("Accept", "text/html").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.body()).contains("priced by override " + ovr + " version 2", "coupon sorry (redemption " + sorry + ")");

        // ended on Dec 10: the plan's 0.01 after
        moveTo(clock, Instant.parse("2026-12-05T00:00:00Z"));
        JsonNode end = created(t.post("/v1/subscriptions/" + sub + "/overrides/" + ovr + "/end", "{\"at\":\"2026-12-10T00:00:00Z\"}"));
        assertThat(end.get("version").asInt()).isEqualTo(3);
        assertThat(end.get("effective_to").asText()).isEqualTo("2026-12-10T00:00:00Z");
        assertThat(ok(t.get("/v1/subscriptions/" + sub + "/overrides/" + ovr + "/versions")).get("versions"))
                .extracting(v -> v.get("version").asInt() + " " + v.get("type").asText()).containsExactly("1 price", "2 price", "3 price");
        moveTo(clock, Instant.parse("2026-12-20T00:00:00Z"));
        tokens("e3", "2026-12-05T00:00:00Z", 1000);
        tokens("e4", "2026-12-15T00:00:00Z", 1000);
        moveTo(clock, JAN_1);
        run(t);
        // tokens Dec 1-10 (v3 = v2's 0.005): 5.00; Dec 10 - Jan 1 (plan): 10.00; platform 20.00. Launch (second and
        // last period): 1.50, 2.00 (coupon stays with the charge key, not the line). Sorry is over.
        // Subtotal 35.00 - 3.50 = 31.50; tax 3.15; total 34.65
        JsonNode jan = invoiceFor(t, "acme", JAN_1);
        assertThat(lines(jan)).containsExactly("flat_fee platform 20.00", "usage tokens 5.00 price_override:" + ovr + ":3",
                "usage tokens 10.00", "discount platform -2.00 discount:" + launch + ":1",
                "discount tokens -1.50 discount:" + launch + ":1");
        assertThat(jan.get("total").asText()).isEqualTo("34.65");

        moveTo(clock, Instant.parse("2027-02-01T00:00:00Z"));
        run(t);
        JsonNode feb = invoiceFor(t, "acme", Instant.parse("2027-02-01T00:00:00Z"));
        assertThat(lines(feb)).noneMatch(l -> l.startsWith("discount"));

        assertThat(ok(t.get("/v1/subscriptions/" + sub + "/overrides")).get("overrides").get(0).get("version_in_force").isNull()).isTrue();
        assertThat(ok(t.post("/v1/coupons/launch/archive", "{}")).get("archived").asBoolean()).isTrue();
        assertThat(ok(t.get("/v1/coupons")).get("coupons")).extracting(c -> c.get("key").asText()).containsExactly("launch", "sorry");
        assertThat(ok(t.get("/v1/coupons/sorry")).get("amount_off").asText()).isEqualTo("3.00");
    }

    @Test
    void anEndedDiscountStopsDiscountingInvoicesIssuedFromItsEnd() {
        created(t.post("/v1/coupons", "{\"key\":\"always\",\"percent_off\":\"50\",\"duration\":\"forever\"}"));
        String red = created(t.post("/v1/subscriptions/" + sub + "/discounts", "{\"coupon\":\"always\"}")).get("id").asText();
        moveTo(clock, DEC_1);
        run(t);
        // November: platform 20.00, half off -> 10.00
        assertThat(invoiceFor(t, "acme", DEC_1).get("subtotal").asText()).isEqualTo("10.00");
        String end = "/v1/subscriptions/" + sub + "/discounts/" + red + "/end";
        assertThat(t.post(end, "{\"at\":\"2026-11-20T00:00:00Z\"}").status()).as("before the last invoice").isEqualTo(400);
        moveTo(clock, Instant.parse("2026-12-15T00:00:00Z"));
        JsonNode ended = ok(t.post(end, ""));
        assertThat(ended.get("ended_at").asText()).isEqualTo("2026-12-15T00:00:00Z");
        assertThat(t.post(end, "").status()).isEqualTo(409);
        assertThat(t.post("/v1/subscriptions/" + sub + "/discounts/red_nope/end", "").status()).isEqualTo(404);
        moveTo(clock, JAN_1);
        run(t);
        // January 1 is issued after the end: 20.00, no discount
        assertThat(invoiceFor(t, "acme", JAN_1).get("subtotal").asText()).isEqualTo("20.00");
        assertThat(ok(t.get("/v1/subscriptions/" + sub + "/discounts")).get("discounts").get(0).get("ended_at").asText())
                .isEqualTo("2026-12-15T00:00:00Z");
    }

    @Test
    void badRequestsNameTheFieldAndConflictsAre409() {
        String base = "/v1/subscriptions/" + sub;
        assertThat(t.post(base + "/overrides", "{\"charge\":\"tokens\"}").status()).isEqualTo(400);
        TestServer.Reply both = t.post(base + "/overrides", "{\"charge\":\"tokens\",\"amount\":\"1\",\"discount_percent\":\"5\"}");
        assertThat(both.status()).isEqualTo(400);
        TestServer.Reply wrongType = t.post(base + "/overrides", "{\"charge\":\"platform\",\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"}}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.body()).contains("flat fee");
        assertThat(t.post(base + "/overrides", "{\"charge\":\"nope\",\"amount\":\"1\"}").body()).contains("charge");
        assertThat(t.post(base + "/overrides", "{\"charge\":\"tokens\",\"price\":{\"model\":\"unit\"}}").status()).isEqualTo(400);
        assertThat(t.post(base + "/overrides", "{\"charge\":\"tokens\",\"discount_percent\":\"101\"}").status()).isEqualTo(400);
        assertThat(t.post(base + "/overrides", "{\"charge\":\"tokens\",\"colour\":\"red\",\"amount\":\"1\"}").status()).isEqualTo(400);
        created(t.post(base + "/overrides", "{\"charge\":\"platform\",\"amount\":\"15.00\"}"));
        assertThat(t.post(base + "/overrides", "{\"charge\":\"platform\",\"amount\":\"10.00\"}").status()).isEqualTo(409);
        assertThat(t.get(base + "/overrides/ovr_nope/versions").status()).isEqualTo(404);
        assertThat(t.get("/v1/subscriptions/sub_nope/overrides").status()).isEqualTo(404);

        assertThat(t.post("/v1/coupons", "{\"key\":\"x\",\"percent_off\":\"10\",\"amount_off\":\"1.00\",\"currency\":\"USD\"}").status()).isEqualTo(400);
        assertThat(t.post("/v1/coupons", "{\"key\":\"x\",\"amount_off\":\"1.001\",\"currency\":\"USD\"}").status()).isEqualTo(400);
        assertThat(t.post("/v1/coupons", "{\"key\":\"x\",\"percent_off\":\"10\",\"duration\":\"repeating\"}").status()).isEqualTo(400);
        created(t.post("/v1/coupons", "{\"key\":\"eur\",\"amount_off\":\"1.00\",\"currency\":\"EUR\"}"));
        assertThat(t.post("/v1/coupons", "{\"key\":\"eur\",\"percent_off\":\"5\"}").status()).isEqualTo(409);
        assertThat(t.post(base + "/discounts", "{\"coupon\":\"eur\"}").status()).as("another currency").isEqualTo(400);
        assertThat(t.post(base + "/discounts", "{\"coupon\":\"missing\"}").status()).isEqualTo(400);
        ok(t.post("/v1/coupons/eur/archive", "{}"));
        assertThat(t.post("/v1/coupons/eur/archive", "{}").status()).isEqualTo(409);
        assertThat(t.get("/v1/coupons/missing").status()).isEqualTo(404);
    }
}

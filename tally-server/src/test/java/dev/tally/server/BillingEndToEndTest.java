package dev.tally.server;

import static dev.tally.server.BillingFixtures.adjustment;
import static dev.tally.server.BillingFixtures.assertInvoice;
import static dev.tally.server.BillingFixtures.cap;
import static dev.tally.server.BillingFixtures.chargeTotal;
import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.credit;
import static dev.tally.server.BillingFixtures.event;
import static dev.tally.server.BillingFixtures.flat;
import static dev.tally.server.BillingFixtures.ingest;
import static dev.tally.server.BillingFixtures.invoiceFor;
import static dev.tally.server.BillingFixtures.invoices;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.BillingFixtures.run;
import static dev.tally.server.BillingFixtures.trueUp;
import static dev.tally.server.BillingFixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.server.BillingFixtures.Line;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two months of billing over HTTP, three customers in three time zones and currencies:
 * <ul>
 *   <li>{@code la-corp}, America/Los_Angeles, USD, plan {@code growth-usd}: every price model (unit and volume by
 *       dimension, package with free units, graduated with a tier-2 flat fee and an included quantity, percentage,
 *       graduated percentage, dynamic with a maximum), a minimum true-up, fees in advance and in arrears, 8.875 %
 *       tax; a late event after November was finalized becomes an adjustment in December;</li>
 *   <li>{@code berlin-gmbh}, Europe/Berlin, EUR: plan change from {@code starter-eur} to {@code pro-eur} at 14:30 on
 *       Nov 10 (usage split at the instant, fees prorated by day, in-advance fee credited), 19 % VAT;</li>
 *   <li>{@code tokyo-kk}, Asia/Tokyo, JPY (no minor unit), plan {@code standard-jpy}: an event arriving in the grace
 *       period refreshes the draft, 10 % tax.</li>
 * </ul>
 * Every expected amount is computed by hand in the test. Each test replays the scenario on a fresh server up to
 * what it checks. Grace period: 2 hours.
 */
class BillingEndToEndTest {
    static final String LA = "la-corp";
    static final String BERLIN = "berlin-gmbh";
    static final String TOKYO = "tokyo-kk";

    // Period boundaries: local midnight of the 1st in each zone, in UTC.
    // Los Angeles: Nov 1 00:00 is still PDT (-7; DST ends at 02:00 that day), Dec 1 and Jan 1 are PST (-8).
    static final Instant LA_NOV = Instant.parse("2026-11-01T07:00:00Z");
    static final Instant LA_DEC = Instant.parse("2026-12-01T08:00:00Z");
    static final Instant LA_JAN = Instant.parse("2027-01-01T08:00:00Z");
    // Berlin: CET (+1) from Oct 25.
    static final Instant BER_NOV = Instant.parse("2026-10-31T23:00:00Z");
    static final Instant BER_DEC = Instant.parse("2026-11-30T23:00:00Z");
    static final Instant BER_JAN = Instant.parse("2026-12-31T23:00:00Z");
    // Tokyo: +9, no DST.
    static final Instant TYO_NOV = Instant.parse("2026-10-31T15:00:00Z");
    static final Instant TYO_DEC = Instant.parse("2026-11-30T15:00:00Z");
    static final Instant TYO_JAN = Instant.parse("2026-12-31T15:00:00Z");

    /** Berlin changes plan at 14:30 CET on Nov 10. */
    static final Instant BER_CHANGE = Instant.parse("2026-11-10T13:30:00Z");

    // The steps of the scenario (clock instants).
    static final Instant SETUP = Instant.parse("2026-10-31T12:00:00Z");
    static final Instant OPEN_RUN = Instant.parse("2026-11-01T08:00:00Z");
    static final Instant OPEN_FINALIZE = Instant.parse("2026-11-01T10:00:01Z");
    static final Instant MID_NOV = Instant.parse("2026-11-25T12:00:00Z");
    static final Instant TOKYO_CLOSE = Instant.parse("2026-11-30T15:30:00Z");
    static final Instant TOKYO_LATE = Instant.parse("2026-11-30T16:00:00Z");
    static final Instant LA_LAST_SECOND = Instant.parse("2026-12-01T07:59:59Z");
    static final Instant LA_CLOSE = Instant.parse("2026-12-01T08:00:30Z");
    static final Instant NOV_FINALIZE = Instant.parse("2026-12-01T10:01:00Z");
    static final Instant LA_LATE = Instant.parse("2026-12-03T12:00:00Z");
    static final Instant DEC_RUN = Instant.parse("2027-01-01T08:01:00Z");
    static final Instant DEC_FINALIZE = Instant.parse("2027-01-01T10:02:00Z");

    MutableClock clock;
    TestServer t;
    final Map<String, String> subscriptions = new HashMap<>();

    /** An event and when it reaches Tally (its own time, unless it arrives late). */
    record Scheduled(Instant arrives, String json) {
    }

    final List<Scheduled> pending = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(SETUP);
        t = new TestServer(clock);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    // ---- the world

    void schedule(String id, String type, String subject, String time, String data) {
        Instant at = Instant.parse(time);
        pending.add(new Scheduled(at, event(id, type, subject, at, data)));
    }

    void scheduleLate(String id, String type, String subject, String time, String data, Instant arrives) {
        pending.add(new Scheduled(arrives, event(id, type, subject, Instant.parse(time), data)));
    }

    /** Moves the clock to {@code to} and ingests every event that has arrived by then. */
    void advanceTo(Instant to) {
        moveTo(clock, to);
        List<String> due = new ArrayList<>();
        pending.removeIf(s -> {
            if (!s.arrives().isAfter(to)) {
                due.add(s.json());
                return true;
            }
            return false;
        });
        ingest(t, due);
    }

    /**
     * Meters, plans, customers, subscriptions, the grace period and the events. With {@code perEvent}, Los Angeles'
     * plan also has the per-event charges (percentage, graduated percentage, dynamic).
     */
    void setUp(boolean perEvent) {
        created(t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                + "\"value_path\":\"tokens\",\"group_by\":[\"model\"]}"));
        created(t.post("/v1/meters", "{\"key\":\"calls\",\"event_type\":\"api.call\",\"aggregation\":\"count\"}"));
        created(t.post("/v1/meters", "{\"key\":\"storage\",\"event_type\":\"storage.gauge\","
                + "\"aggregation\":\"time_weighted_sum\",\"value_path\":\"gb\",\"time_unit\":\"hour\"}"));
        created(t.post("/v1/meters", "{\"key\":\"payments\",\"event_type\":\"payment.captured\",\"aggregation\":\"sum\","
                + "\"value_path\":\"amount\"}"));
        created(t.post("/v1/meters", "{\"key\":\"payouts\",\"event_type\":\"payout.sent\",\"aggregation\":\"sum\","
                + "\"value_path\":\"amount\"}"));
        created(t.post("/v1/meters", "{\"key\":\"services\",\"event_type\":\"service.fee\",\"aggregation\":\"sum\","
                + "\"value_path\":\"price\"}"));

        String perEventCharges = """
                  ,{"key":"payments","type":"usage","name":"Card payments","meter":"payments",
                   "price":{"model":"percentage","rate":"2.9","fixed_fee":"0.30","free_events":1,
                            "min_per_event":"0.50","max_per_event":"10"}},
                  {"key":"payouts","type":"usage","name":"Payouts","meter":"payouts",
                   "price":{"model":"graduated_percentage","tiers":[
                     {"up_to":"1000","rate":"1","flat_fee":"5"},{"up_to":null,"rate":"0.5","flat_fee":"10"}]}},
                  {"key":"services","type":"usage","name":"Pro services","meter":"services",
                   "price":{"model":"dynamic"},"maximum_amount":"30"}
                """;
        created(t.post("/v1/plans", """
                {"key":"growth-usd","name":"Growth","currency":"USD","interval":"monthly",
                 "tax_rates":[{"name":"Sales tax","percent":"8.875"}],
                 "charges":[
                  {"key":"platform","type":"flat","name":"Platform fee","amount":"49.00","timing":"in_advance"},
                  {"key":"support","type":"flat","name":"Support","amount":"20.00","timing":"in_arrears"},
                  {"key":"tokens","type":"usage","name":"Tokens","meter":"tokens","dimension":"model",
                   "price":{"model":"unit","unit_price":"0.002"},
                   "prices_by_dimension":{"big":{"model":"volume","tiers":[
                     {"up_to":"10000","unit_price":"0.01"},{"up_to":null,"unit_price":"0.008","flat_fee":"5"}]}}},
                  {"key":"calls","type":"usage","name":"API calls","meter":"calls",
                   "price":{"model":"package","package_size":"100","package_price":"5","free_units":"50","rounding":"up"},
                   "minimum_amount":"25"},
                  {"key":"storage","type":"usage","name":"Storage","meter":"storage","included_quantity":"100",
                   "price":{"model":"graduated","tiers":[
                     {"up_to":"500","unit_price":"0.05"},{"up_to":null,"unit_price":"0.02","flat_fee":"10"}]}}
                """ + (perEvent ? perEventCharges : "") + "]}"));
        created(t.post("/v1/plans", """
                {"key":"starter-eur","name":"Starter","currency":"EUR","interval":"monthly",
                 "tax_rates":[{"name":"VAT","percent":"19"}],
                 "charges":[
                  {"key":"base","type":"flat","name":"Base fee","amount":"30.00","timing":"in_advance"},
                  {"key":"service","type":"flat","name":"Service","amount":"15.00","timing":"in_arrears"},
                  {"key":"tokens","type":"usage","name":"Tokens","meter":"tokens",
                   "price":{"model":"unit","unit_price":"0.004"},"minimum_amount":"10"},
                  {"key":"calls","type":"usage","name":"API calls","meter":"calls",
                   "price":{"model":"unit","unit_price":"0.01"}}]}
                """));
        created(t.post("/v1/plans", """
                {"key":"pro-eur","name":"Pro","currency":"EUR","interval":"monthly",
                 "tax_rates":[{"name":"VAT","percent":"19"}],
                 "charges":[
                  {"key":"base","type":"flat","name":"Base fee","amount":"90.00","timing":"in_advance"},
                  {"key":"service","type":"flat","name":"Service","amount":"24.00","timing":"in_arrears"},
                  {"key":"tokens","type":"usage","name":"Tokens","meter":"tokens",
                   "price":{"model":"unit","unit_price":"0.002"},"minimum_amount":"10"},
                  {"key":"calls","type":"usage","name":"API calls","meter":"calls",
                   "price":{"model":"unit","unit_price":"0.005"}}]}
                """));
        created(t.post("/v1/plans", """
                {"key":"standard-jpy","name":"Standard","currency":"JPY","interval":"monthly",
                 "tax_rates":[{"name":"Consumption tax","percent":"10"}],
                 "charges":[
                  {"key":"base","type":"flat","name":"Base fee","amount":"5000","timing":"in_advance"},
                  {"key":"tokens","type":"usage","name":"Tokens","meter":"tokens",
                   "price":{"model":"unit","unit_price":"0.35"}},
                  {"key":"calls","type":"usage","name":"API calls","meter":"calls",
                   "price":{"model":"package","package_size":"100","package_price":"120","free_units":"30",
                            "rounding":"down"}}]}
                """));

        created(t.post("/v1/customers", "{\"external_id\":\"" + LA + "\",\"timezone\":\"America/Los_Angeles\",\"currency\":\"USD\"}"));
        created(t.post("/v1/customers", "{\"external_id\":\"" + BERLIN + "\",\"timezone\":\"Europe/Berlin\",\"currency\":\"EUR\"}"));
        created(t.post("/v1/customers", "{\"external_id\":\"" + TOKYO + "\",\"timezone\":\"Asia/Tokyo\",\"currency\":\"JPY\"}"));
        subscribe(LA, "growth-usd", LA_NOV);
        subscribe(BERLIN, "starter-eur", BER_NOV);
        subscribe(TOKYO, "standard-jpy", TYO_NOV);

        JsonNode settings = ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":7200}"));
        assertThat(settings.get("grace_period_seconds").asLong()).isEqualTo(7200);

        scheduleEvents();
    }

    void subscribe(String customer, String plan, Instant start) {
        JsonNode s = created(t.post("/v1/subscriptions", "{\"customer\":\"" + customer + "\",\"plan\":\"" + plan
                + "\",\"start\":\"" + start + "\"}"));
        assertThat(s.get("next_invoice_at").asText()).as("in-advance fees are due at the start").isEqualTo(start.toString());
        subscriptions.put(customer, s.get("id").asText());
    }

    void scheduleEvents() {
        // ---- Los Angeles (UTC-8 in November after the 1st at 02:00)
        // Oct 31 23:59:59 PDT: before the subscription starts (in UTC it is already November): never billed.
        schedule("la-tok-pre", "llm.tokens", LA, "2026-11-01T06:59:59Z", "{\"tokens\":1000,\"model\":\"small\"}");
        schedule("la-tok-1", "llm.tokens", LA, "2026-11-01T07:00:00Z", "{\"tokens\":1000,\"model\":\"small\"}");
        schedule("la-tok-2", "llm.tokens", LA, "2026-11-05T18:00:00Z", "{\"tokens\":6000,\"model\":\"big\"}");
        schedule("la-tok-3", "llm.tokens", LA, "2026-11-12T23:00:00Z", "{\"tokens\":6500,\"model\":\"big\"}");
        schedule("la-tok-4", "llm.tokens", LA, "2026-11-20T17:00:00Z", "{\"tokens\":4321,\"model\":\"medium\"}");
        // Nov 30 23:59:59 PST: November for this customer, though December in UTC.
        schedule("la-tok-5", "llm.tokens", LA, "2026-12-01T07:59:59Z", "{\"tokens\":2347,\"model\":\"small\"}");
        // Dec 1 00:00:30 PST: December.
        schedule("la-tok-dec", "llm.tokens", LA, "2026-12-01T08:00:30Z", "{\"tokens\":1500,\"model\":\"small\"}");
        // Nov 20 10:00 PST, but it reaches Tally on Dec 3, after November was finalized.
        scheduleLate("la-tok-late", "llm.tokens", LA, "2026-11-20T18:00:00Z", "{\"tokens\":655,\"model\":\"small\"}",
                LA_LATE);
        for (int i = 0; i < 237; i++) {
            schedule("la-call-" + i, "api.call", LA, Instant.parse("2026-11-02T08:00:00Z")
                    .plus(Duration.ofHours(2L * i)).toString(), "{}");
        }
        // 2.5 GB from Nov 10 00:00 PST for 240 h, 4 GB from Nov 20 for 120 h, then nothing.
        schedule("la-gb-1", "storage.gauge", LA, "2026-11-10T08:00:00Z", "{\"gb\":\"2.5\"}");
        schedule("la-gb-2", "storage.gauge", LA, "2026-11-20T08:00:00Z", "{\"gb\":4}");
        schedule("la-gb-3", "storage.gauge", LA, "2026-11-25T08:00:00Z", "{\"gb\":0}");
        schedule("la-pay-1", "payment.captured", LA, "2026-11-03T20:00:00Z", "{\"amount\":\"120.00\"}");
        schedule("la-pay-2", "payment.captured", LA, "2026-11-04T20:00:00Z", "{\"amount\":\"5.00\"}");
        schedule("la-pay-3", "payment.captured", LA, "2026-11-08T20:00:00Z", "{\"amount\":\"80.00\"}");
        schedule("la-pay-4", "payment.captured", LA, "2026-11-15T20:00:00Z", "{\"amount\":\"1000.00\"}");
        schedule("la-pay-5", "payment.captured", LA, "2026-11-22T20:00:00Z", "{\"amount\":\"33.33\"}");
        schedule("la-out-1", "payout.sent", LA, "2026-11-06T20:00:00Z", "{\"amount\":\"700\"}");
        schedule("la-out-2", "payout.sent", LA, "2026-11-18T20:00:00Z", "{\"amount\":\"550.50\"}");
        schedule("la-svc-1", "service.fee", LA, "2026-11-09T20:00:00Z", "{\"price\":\"12.345\"}");
        schedule("la-svc-2", "service.fee", LA, "2026-11-19T20:00:00Z", "{\"price\":\"19.99\"}");

        // ---- Berlin (UTC+1)
        schedule("ber-tok-1", "llm.tokens", BERLIN, "2026-11-03T10:00:00Z", "{\"tokens\":300}");
        schedule("ber-tok-2", "llm.tokens", BERLIN, "2026-11-09T10:00:00Z", "{\"tokens\":200}");
        // one second before the plan change, and exactly at it
        schedule("ber-tok-3", "llm.tokens", BERLIN, "2026-11-10T13:29:59Z", "{\"tokens\":111}");
        schedule("ber-tok-4", "llm.tokens", BERLIN, "2026-11-10T13:30:00Z", "{\"tokens\":1000}");
        schedule("ber-tok-5", "llm.tokens", BERLIN, "2026-11-20T10:00:00Z", "{\"tokens\":3000}");
        schedule("ber-tok-6", "llm.tokens", BERLIN, "2026-11-30T15:00:00Z", "{\"tokens\":1500}");
        // Dec 1 00:30 CET: December for this customer, though November in UTC.
        schedule("ber-tok-dec", "llm.tokens", BERLIN, "2026-11-30T23:30:00Z", "{\"tokens\":800}");
        // Nov 1 00:15 CET: November for this customer, though October in UTC.
        schedule("ber-call-first", "api.call", BERLIN, "2026-10-31T23:15:00Z", "{}");
        for (int i = 0; i < 39; i++) {
            schedule("ber-call-a" + i, "api.call", BERLIN, Instant.parse("2026-11-02T00:00:00Z")
                    .plus(Duration.ofHours(3L * i)).toString(), "{}");
        }
        for (int i = 0; i < 70; i++) {
            schedule("ber-call-b" + i, "api.call", BERLIN, Instant.parse("2026-11-11T00:00:00Z")
                    .plus(Duration.ofHours(3L * i)).toString(), "{}");
        }

        // ---- Tokyo (UTC+9)
        // Oct 31 23:59 JST: before the start. Nov 1 00:00:10 JST: November (October in UTC).
        schedule("tyo-tok-pre", "llm.tokens", TOKYO, "2026-10-31T14:59:00Z", "{\"tokens\":999}");
        schedule("tyo-tok-1", "llm.tokens", TOKYO, "2026-10-31T15:00:10Z", "{\"tokens\":1001}");
        schedule("tyo-tok-2", "llm.tokens", TOKYO, "2026-11-15T03:00:00Z", "{\"tokens\":2009}");
        // Nov 30 23:00 JST, arriving an hour after the period closed, inside the grace period.
        scheduleLate("tyo-tok-late", "llm.tokens", TOKYO, "2026-11-30T14:00:00Z", "{\"tokens\":777}", TOKYO_LATE);
        // Dec 1 00:00:05 JST: December (November in UTC).
        schedule("tyo-tok-dec", "llm.tokens", TOKYO, "2026-11-30T15:00:05Z", "{\"tokens\":5000}");
        for (int i = 0; i < 250; i++) {
            schedule("tyo-call-" + i, "api.call", TOKYO, Instant.parse("2026-11-01T15:00:00Z")
                    .plus(Duration.ofHours(2L * i)).toString(), "{}");
        }
    }

    /** Opening invoices: created at the first run after the starts, finalized after the 2-hour grace. */
    void openingInvoices() {
        advanceTo(OPEN_RUN);
        JsonNode r = run(t);
        assertThat(r.get("created").asInt()).as(r.toString()).isEqualTo(3);
        assertThat(r.get("finalized").asInt()).as(r.toString()).isZero();
        advanceTo(OPEN_FINALIZE);
        JsonNode f = run(t);
        assertThat(f.get("finalized").asInt()).as(f.toString()).isEqualTo(3);
    }

    /** November's events, the Berlin plan change, up to the middle of the last week. */
    void novemberUntilMidWeek() {
        advanceTo(BER_CHANGE);
        JsonNode changed = ok(t.post("/v1/subscriptions/" + subscriptions.get(BERLIN) + "/change",
                "{\"plan\":\"pro-eur\",\"at\":\"" + BER_CHANGE + "\"}"));
        assertThat(changed.get("plan").asText()).isEqualTo("pro-eur");
        assertThat(changed.get("phases")).hasSize(2);
        advanceTo(MID_NOV);
    }

    /** Tokyo's period closes; a late event inside its grace period refreshes the draft. */
    void tokyoCloses() {
        advanceTo(TOKYO_CLOSE);
        JsonNode r = run(t);
        assertThat(r.get("created").asInt()).as("only Tokyo's November closed: " + r).isEqualTo(1);
        advanceTo(TOKYO_LATE);
        JsonNode r2 = run(t);
        assertThat(r2.get("created").asInt()).as(r2.toString()).isZero();
        assertThat(r2.get("refreshed").asInt()).as(r2.toString()).isEqualTo(1);
        assertThat(r2.get("finalized").asInt()).as(r2.toString()).isZero();
    }

    /** Berlin and Los Angeles close November; everything is finalized. */
    void novemberCloses() {
        advanceTo(LA_LAST_SECOND);
        JsonNode r = run(t);
        assertThat(r.get("created").asInt()).as("Berlin's November closed: " + r).isEqualTo(1);
        assertThat(r.get("finalized").asInt()).as("Tokyo's grace ended at 17:30Z: " + r).isEqualTo(1);
        advanceTo(LA_CLOSE);
        JsonNode r2 = run(t);
        assertThat(r2.get("created").asInt()).as("Los Angeles' November closed: " + r2).isEqualTo(1);
        advanceTo(NOV_FINALIZE);
        JsonNode r3 = run(t);
        assertThat(r3.get("finalized").asInt()).as(r3.toString()).isEqualTo(2);
    }

    void decemberCloses() {
        advanceTo(LA_LATE);
        advanceTo(DEC_RUN);
        assertThat(pending).isEmpty();
        JsonNode r = run(t);
        assertThat(r.get("created").asInt()).as(r.toString()).isEqualTo(3);
        advanceTo(DEC_FINALIZE);
        JsonNode r2 = run(t);
        assertThat(r2.get("finalized").asInt()).as(r2.toString()).isEqualTo(3);
    }

    // ---- tests


    @Test
    void openingInvoicesBillTheFirstPeriodsInAdvanceFeesAndAreNumberedInBoundaryOrder() {
        setUp(false);
        openingInvoices();

        JsonNode tokyo = invoiceFor(t, TOKYO, TYO_NOV);
        // Base fee 5000 JPY for the whole of November; tax 10 %: 5000 x 0.10 = 500
        assertInvoice(tokyo, "5000", "500", "5500",
                flat("base", "5000", "Base fee"));
        JsonNode berlin = invoiceFor(t, BERLIN, BER_NOV);
        // Base fee 30.00 EUR; VAT 19 %: 30.00 x 0.19 = 5.70
        assertInvoice(berlin, "30.00", "5.70", "35.70",
                flat("base", "30.00", "Base fee"));
        JsonNode la = invoiceFor(t, LA, LA_NOV);
        // Platform fee 49.00 USD; sales tax 8.875 %: 49.00 x 0.08875 = 4.34875 -> 4.35
        assertInvoice(la, "49.00", "4.35", "53.35",
                flat("platform", "49.00", "Platform fee"));

        // Each opening invoice covers its customer's local November.
        assertThat(tokyo.get("period_start").asText()).isEqualTo("2026-10-31T15:00:00Z");
        assertThat(tokyo.get("period_end").asText()).isEqualTo("2026-11-30T15:00:00Z");
        assertThat(berlin.get("period_start").asText()).isEqualTo("2026-10-31T23:00:00Z");
        assertThat(berlin.get("period_end").asText()).isEqualTo("2026-11-30T23:00:00Z");
        assertThat(la.get("period_start").asText()).isEqualTo("2026-11-01T07:00:00Z");
        assertThat(la.get("period_end").asText()).isEqualTo("2026-12-01T08:00:00Z");

        // Finalized after the grace period, numbered in boundary order: Tokyo, Berlin, Los Angeles.
        assertThat(tokyo.get("status").asText()).isEqualTo("finalized");
        assertThat(tokyo.get("number").asText()).isEqualTo("INV-000001");
        assertThat(berlin.get("number").asText()).isEqualTo("INV-000002");
        assertThat(la.get("number").asText()).isEqualTo("INV-000003");
        assertThat(tokyo.get("currency").asText()).isEqualTo("JPY");
        assertThat(berlin.get("currency").asText()).isEqualTo("EUR");
        assertThat(la.get("currency").asText()).isEqualTo("USD");
    }

    @Test
    void theLosAngelesNovemberInvoiceRatesEveryQuantityModelToTheCent() {
        setUp(false);
        openingInvoices();
        novemberUntilMidWeek();
        tokyoCloses();
        novemberCloses();
        assertLaNovember(false);
    }

    @Test
    void liveUsageBeforePeriodEndMatchesTheInvoiceLaterIssued() {
        liveUsageThenNovemberInvoices(false);
    }

    @Test
    void lateUsageAfterFinalizationBecomesAnAdjustmentOnTheNextInvoice() {
        setUp(false);
        openingInvoices();
        novemberUntilMidWeek();
        tokyoCloses();
        novemberCloses();
        JsonNode novBefore = invoiceFor(t, LA, LA_DEC);
        decemberCloses();
        // The finalized November invoice did not change.
        JsonNode novAfter = invoiceFor(t, LA, LA_DEC);
        assertThat(novAfter.get("lines")).isEqualTo(novBefore.get("lines"));
        assertThat(novAfter.get("total").asText()).isEqualTo(novBefore.get("total").asText());
        assertThat(novAfter.get("status").asText()).isEqualTo("finalized");
        assertLaDecember(false);
    }

    @Test
    void perEventPriceModelsAreBilledLiveOnTheInvoiceAndInAdjustments() {
        liveUsageThenNovemberInvoices(true);
        assertLaNovember(true);
        decemberCloses();
        assertLaDecember(true);
    }

    @Test
    void aPlanWithOnePercentageChargeCanBeInvoiced() {
        created(t.post("/v1/meters", "{\"key\":\"payments\",\"event_type\":\"payment.captured\",\"aggregation\":\"sum\","
                + "\"value_path\":\"amount\"}"));
        created(t.post("/v1/plans", "{\"key\":\"pay\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"payments\",\"type\":\"usage\",\"meter\":\"payments\",\"price\":{\"model\":\"percentage\",\"rate\":\"2\"}}]}"));
        created(t.post("/v1/customers", "{\"external_id\":\"p\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"p\",\"plan\":\"pay\",\"start\":\"2026-11-01T00:00:00Z\"}"));
        moveTo(clock, Instant.parse("2026-11-10T00:00:00Z"));
        ingest(t, List.of(event("p1", "payment.captured", "p", Instant.parse("2026-11-09T00:00:00Z"), "{\"amount\":\"100\"}")));
        // 2 % of 100 = 2.00 so far
        var live = t.get("/v1/customers/p/usage");
        assertThat(live.status()).as(live.body()).isEqualTo(200);
        assertThat(live.json().get("estimated_total").asText()).isEqualTo("2.00");
        moveTo(clock, Instant.parse("2026-12-01T00:00:01Z"));
        var r = t.post("/v1/billing/runs", "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertInvoice(invoiceFor(t, "p", Instant.parse("2026-12-01T00:00:00Z")), "2.00", "0.00", "2.00",
                usage("payments", "100", "2.00", "2% of the value of 1 event"));
    }

    @Test
    void aPlanChangeMidPeriodSplitsUsageAtTheInstantAndProratesFeesByDay() {
        setUp(false);
        openingInvoices();
        novemberUntilMidWeek();
        tokyoCloses();
        novemberCloses();

        JsonNode nov = invoiceFor(t, BERLIN, BER_DEC);
        assertThat(nov.get("number").asText()).isEqualTo("INV-000005");
        // November in Berlin has 30 days. The change at 14:30 on Nov 10: Nov 1..9 (9 days) under starter,
        // Nov 10..30 (21 days, the day of the change goes to the new plan) under pro.
        assertInvoice(nov,
                // 4.50 + 2.44 + 0.56 + 0.40 + 16.80 + 11.00 + 0.35 - 21.00 + 63.00 + 90.00 = 168.05
                "168.05",
                // 168.05 x 19 % = 31.9295 -> 31.93
                "31.93",
                "199.98",
                // starter, in arrears: 15.00 x 9/30 = 4.50
                flat("service", "4.50", "Service (prorated 9 of 30 days, Nov 1 – Nov 9)"),
                // starter tokens before 14:30:00: 300 + 200 + 111 (at 14:29:59) = 611 x 0.004 = 2.444 -> 2.44
                usage("tokens", "611", "2.44", "Tokens: Usage"),
                // the minimum 10 prorated to 9/30 = 3.00: true-up 3.00 - 2.44 = 0.56
                trueUp("tokens", "0.56", "(prorated 9 of 30 days, Nov 1 – Nov 9)"),
                // starter calls: 1 at 00:15 Nov 1 local (Oct 31 in UTC) + 39 = 40 x 0.01 = 0.40
                usage("calls", "40", "0.40", "API calls: Usage"),
                // pro, in arrears: 24.00 x 21/30 = 16.80
                flat("service", "16.80", "Service (prorated 21 of 30 days, Nov 10 – Nov 30)"),
                // pro tokens from 14:30:00: 1000 + 3000 + 1500 = 5500 x 0.002 = 11.00 (minimum 10 x 21/30 = 7.00 met)
                usage("tokens", "5500", "11.00", "Tokens: Usage"),
                // pro calls: 70 x 0.005 = 0.35
                usage("calls", "70", "0.35", "API calls: Usage"),
                // starter's base fee was billed in advance for all of November: credit 30.00 x 21/30 = 21.00
                credit("base", "-21.00", "Unused Base fee (21 of 30 days, Nov 10 – Nov 30)"),
                // pro's base fee for the rest of November: 90.00 x 21/30 = 63.00
                flat("base", "63.00", "Base fee (prorated 21 of 30 days, Nov 10 – Nov 30)"),
                // December's base fee under pro, in advance
                flat("base", "90.00", "Base fee"));
        JsonNode lines = nov.get("lines");
        assertThat(lines.get(1).get("plan").asText()).isEqualTo("starter-eur");
        assertThat(lines.get(1).get("period_end").asText()).isEqualTo(BER_CHANGE.toString());
        assertThat(lines.get(1).get("events").asLong()).isEqualTo(3);
        assertThat(lines.get(5).get("plan").asText()).isEqualTo("pro-eur");
        assertThat(lines.get(5).get("period_start").asText()).isEqualTo(BER_CHANGE.toString());
        assertThat(lines.get(5).get("events").asLong()).isEqualTo(3);
        assertThat(lines.get(7).get("plan").asText()).isEqualTo("starter-eur");
        assertThat(lines.get(8).get("plan").asText()).isEqualTo("pro-eur");
        // The events behind each tokens line are those of its side of the change.
        assertThat(eventIds(nov, lines.get(1))).containsExactly("ber-tok-1", "ber-tok-2", "ber-tok-3");
        assertThat(eventIds(nov, lines.get(5))).containsExactly("ber-tok-4", "ber-tok-5", "ber-tok-6");
    }

    @Test
    void berlinsDecemberBillsOnlyDecemberUnderTheNewPlanAndNumbersHaveNoGaps() {
        setUp(false);
        openingInvoices();
        novemberUntilMidWeek();
        tokyoCloses();
        novemberCloses();
        decemberCloses();

        JsonNode berlin = invoiceFor(t, BERLIN, BER_JAN);
        assertThat(berlin.get("number").asText()).isEqualTo("INV-000008");
        assertInvoice(berlin,
                // 24.00 + 1.60 + 8.40 + 0.00 + 90.00
                "124.00",
                // 124.00 x 19 % = 23.56
                "23.56",
                "147.56",
                // all of December under pro
                flat("service", "24.00", "Service"),
                // 800 at 00:30 Dec 1 CET (Nov 30 in UTC): 800 x 0.002 = 1.60; minimum 10: true-up 8.40
                usage("tokens", "800", "1.60", "Tokens: Usage"),
                trueUp("tokens", "8.40", "minimum 10"),
                usage("calls", "0", "0.00", "API calls: Usage"),
                flat("base", "90.00", "Base fee"));
        assertThat(berlin.get("lines").get(0).get("description").asText()).doesNotContain("days");

        // Nine invoices, numbered without gaps.
        List<String> numbers = new ArrayList<>();
        for (String c : List.of(TOKYO, BERLIN, LA)) {
            invoices(t, c).forEach(i -> numbers.add(i.get("number").asText()));
        }
        assertThat(numbers).containsExactlyInAnyOrder("INV-000001", "INV-000002", "INV-000003", "INV-000004",
                "INV-000005", "INV-000006", "INV-000007", "INV-000008", "INV-000009");
    }

    @Test
    void tokyosNovemberFollowsJapaneseTimeAndRoundsYenHalfUp() {
        setUp(false);
        openingInvoices();
        novemberUntilMidWeek();
        advanceTo(TOKYO_CLOSE);
        assertThat(run(t).get("created").asInt()).isEqualTo(1);
        assertTokyoNovemberDraft();
    }

    /** Tokyo's November draft at 00:30 Dec 1 JST, before the late event arrives. */
    JsonNode assertTokyoNovemberDraft() {
        JsonNode draft = invoiceFor(t, TOKYO, TYO_DEC);
        assertThat(draft.get("status").asText()).isEqualTo("draft");
        assertThat(draft.get("number").isNull()).isTrue();
        assertThat(draft.get("period_start").asText()).isEqualTo("2026-10-31T15:00:00Z");
        assertThat(draft.get("period_end").asText()).isEqualTo("2026-11-30T15:00:00Z");
        // grace: 2 hours from the run at 15:30Z
        assertThat(draft.get("finalize_after").asText()).isEqualTo("2026-11-30T17:30:00Z");
        assertInvoice(draft,
                // 1054 + 240 + 5000
                "6294",
                // 6294 x 10 % = 629.4 -> 629
                "629",
                "6923",
                // 1001 (00:00:10 Nov 1 JST) + 2009 = 3010 x 0.35 = 1053.5 -> 1054 (HALF_UP); the 999 at 23:59 Oct 31
                // JST and the 5000 at 00:00:05 Dec 1 JST are outside
                usage("tokens", "3010", "1054", "Tokens: Usage"),
                // 250 calls, 30 free, 220 billable, floor(2.2) = 2 packages x 120 = 240
                usage("calls", "2", "240", "250 used, 30 free, 220 billable"),
                flat("base", "5000", "Base fee"));
        return draft;
    }

    @Test
    void lateUsageInTheGracePeriodRefreshesTheDraftBeforeItIsFinalized() {
        setUp(false);
        openingInvoices();
        novemberUntilMidWeek();
        advanceTo(TOKYO_CLOSE);
        JsonNode r = run(t);
        assertThat(r.get("created").asInt()).isEqualTo(1);

        JsonNode draft = assertTokyoNovemberDraft();

        advanceTo(TOKYO_LATE);
        run(t);
        JsonNode refreshed = invoiceFor(t, TOKYO, TYO_DEC);
        assertThat(refreshed.get("id").asText()).isEqualTo(draft.get("id").asText());
        assertThat(refreshed.get("status").asText()).isEqualTo("draft");
        assertInvoice(refreshed,
                // 1325 + 240 + 5000
                "6565",
                // 6565 x 10 % = 656.5 -> 657 (HALF_UP)
                "657",
                "7222",
                // + 777 at 23:00 Nov 30 JST, arrived at 01:00 Dec 1 JST: 3787 x 0.35 = 1325.45 -> 1325
                usage("tokens", "3787", "1325", "Tokens: Usage"),
                usage("calls", "2", "240", null),
                flat("base", "5000", "Base fee"));

        // The grace period (2 h from 00:30 JST) ends: finalized as it stands.
        advanceTo(LA_LAST_SECOND);
        run(t);
        JsonNode fin = invoiceFor(t, TOKYO, TYO_DEC);
        assertThat(fin.get("status").asText()).isEqualTo("finalized");
        assertThat(fin.get("number").asText()).isEqualTo("INV-000004");
        assertThat(fin.get("total").asText()).isEqualTo("7222");

        // December bills December only: no adjustment, since November was complete when finalized.
        advanceTo(LA_CLOSE);
        run(t);
        advanceTo(NOV_FINALIZE);
        run(t);
        decemberCloses();
        JsonNode dec = invoiceFor(t, TOKYO, TYO_JAN);
        assertThat(dec.get("number").asText()).isEqualTo("INV-000007");
        assertInvoice(dec,
                // 1750 + 0 + 5000
                "6750",
                // 6750 x 10 % = 675
                "675",
                "7425",
                // 5000 at 00:00:05 Dec 1 JST: 5000 x 0.35 = 1750
                usage("tokens", "5000", "1750", "Tokens: Usage"),
                // no calls: floor(0 / 100) = 0 packages
                usage("calls", "0", "0", "0 used"),
                flat("base", "5000", "Base fee"));
    }

    @Test
    void eventsBehindALineOfOneDimensionValueAreThoseOfThatValue() {
        setUp(false);
        openingInvoices();
        novemberUntilMidWeek();
        tokyoCloses();
        novemberCloses();
        JsonNode nov = invoiceFor(t, LA, LA_DEC);
        JsonNode big = nov.get("lines").get(1);
        assertThat(big.get("description").asText()).contains("model=big");
        assertThat(eventIds(nov, big)).containsExactly("la-tok-2", "la-tok-3");
        JsonNode small = nov.get("lines").get(4);
        assertThat(small.get("description").asText()).contains("model=small");
        assertThat(eventIds(nov, small)).containsExactly("la-tok-1", "la-tok-5");
    }

    // ---- checks shared by the variants with and without per-event charges

    void liveUsageThenNovemberInvoices(boolean perEvent) {
        setUp(perEvent);
        openingInvoices();
        novemberUntilMidWeek();
        advanceTo(TOKYO_CLOSE);

        // Berlin at 16:30 CET on Nov 30: all of its November usage is in, across both plans.
        JsonNode berlinLive = ok(t.get("/v1/customers/" + BERLIN + "/usage"));
        JsonNode berlinSub = berlinLive.get("subscriptions").get(0);
        assertThat(berlinSub.get("plan").asText()).isEqualTo("pro-eur");
        assertThat(berlinSub.get("period_start").asText()).isEqualTo("2026-10-31T23:00:00Z");
        Map<String, JsonNode> berlinCharges = byCharge(berlinSub);
        // tokens: 611 x 0.004 = 2.444 -> 2.44 + true-up to 10 x 9/30 = 3.00: 0.56; then 5500 x 0.002 = 11.00
        // (minimum 10 x 21/30 = 7.00 reached): 2.44 + 0.56 + 11.00 = 14.00
        assertThat(berlinCharges.get("tokens").get("amount").asText()).isEqualTo("14.00");
        // 300 + 200 + 111 + 1000 + 3000 + 1500 = 6111
        assertThat(new BigDecimal(berlinCharges.get("tokens").get("quantity").asText())).isEqualByComparingTo("6111");
        // calls: 40 x 0.01 = 0.40 + 70 x 0.005 = 0.35
        assertThat(berlinCharges.get("calls").get("amount").asText()).isEqualTo("0.75");
        // service: 15 x 9/30 = 4.50 + 24 x 21/30 = 16.80
        assertThat(berlinCharges.get("service").get("amount").asText()).isEqualTo("21.30");

        run(t);
        advanceTo(LA_LAST_SECOND);
        run(t);

        // Los Angeles at 23:59:59 on Nov 30: all of its November usage is in.
        JsonNode laLive = ok(t.get("/v1/customers/" + LA + "/usage"));
        assertThat(laLive.get("currency").asText()).isEqualTo("USD");
        JsonNode laSub = laLive.get("subscriptions").get(0);
        assertThat(laSub.get("period_start").asText()).isEqualTo("2026-11-01T07:00:00Z");
        assertThat(laSub.get("period_end").asText()).isEqualTo("2026-12-01T08:00:00Z");
        Map<String, JsonNode> la = byCharge(laSub);
        // the same hand computations as in assertLaNovember
        Map<String, String> expected = new HashMap<>(Map.of(
                "support", "20.00",
                "tokens", "120.33", // 100.00 + 5.00 + 8.64 + 6.69
                "calls", "25.00", // 10.00 + true-up 15.00
                "storage", "44.60", // 0.00 + 25.00 + 9.60 + 10.00
                "platform", "49.00")); // November's, billed at the start
        if (perEvent) {
            expected.put("payments", "14.39"); // 0.00 + 3.29 + 0.60 + 0.50 + 10.00
            expected.put("payouts", "26.25"); // 10.00 + 5.00 + 1.25 + 10.00
            expected.put("services", "30.00"); // 32.34 - 2.34
        }
        assertThat(la.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((charge, amount) ->
                assertThat(la.get(charge).get("amount").asText()).as(charge + " in " + laSub).isEqualTo(amount));
        // 12500 + 4321 + 3347
        assertThat(new BigDecimal(la.get("tokens").get("quantity").asText())).isEqualByComparingTo("20168");
        // 1080 GB-h, 100 included, 980 billable
        assertThat(new BigDecimal(la.get("storage").get("quantity").asText())).isEqualByComparingTo("1080");
        assertThat(new BigDecimal(la.get("storage").get("included").asText())).isEqualByComparingTo("100");
        assertThat(new BigDecimal(la.get("storage").get("billable").asText())).isEqualByComparingTo("980");
        assertThat(new BigDecimal(la.get("calls").get("quantity").asText())).isEqualByComparingTo("237");
        if (perEvent) {
            // 49.00 + 20.00 + 120.33 + 25.00 + 44.60 + 14.39 + 26.25 + 30.00 = 329.57; x 8.875 % = 29.2493375 -> 29.25
            assertThat(laSub.get("subtotal").asText()).isEqualTo("329.57");
            assertThat(laSub.get("tax").asText()).isEqualTo("29.25");
            assertThat(laSub.get("estimated_total").asText()).isEqualTo("358.82");
        } else {
            // 49.00 + 20.00 + 120.33 + 25.00 + 44.60 = 258.93; x 8.875 % = 22.9800375 -> 22.98
            assertThat(laSub.get("subtotal").asText()).isEqualTo("258.93");
            assertThat(laSub.get("tax").asText()).isEqualTo("22.98");
            assertThat(laSub.get("estimated_total").asText()).isEqualTo("281.91");
        }

        advanceTo(LA_CLOSE);
        run(t);
        advanceTo(NOV_FINALIZE);
        run(t);

        // The invoices issued later bill every usage charge (and the in-arrears fee) exactly as estimated.
        JsonNode laInvoice = invoiceFor(t, LA, LA_DEC);
        expected.forEach((charge, amount) -> {
            if (!charge.equals("platform")) {
                assertThat(chargeTotal(laInvoice, charge)).as(charge).isEqualByComparingTo(amount);
            }
        });
        JsonNode berlinInvoice = invoiceFor(t, BERLIN, BER_DEC);
        assertThat(chargeTotal(berlinInvoice, "tokens")).isEqualByComparingTo("14.00");
        assertThat(chargeTotal(berlinInvoice, "calls")).isEqualByComparingTo("0.75");
        assertThat(chargeTotal(berlinInvoice, "service")).isEqualByComparingTo("21.30");
    }

    void assertLaNovember(boolean perEvent) {
        JsonNode nov = invoiceFor(t, LA, LA_DEC);
        assertThat(nov.get("status").asText()).isEqualTo("finalized");
        assertThat(nov.get("number").asText()).isEqualTo("INV-000006");
        assertThat(nov.get("period_start").asText()).isEqualTo("2026-11-01T07:00:00Z");
        assertThat(nov.get("period_end").asText()).isEqualTo("2026-12-01T08:00:00Z");
        List<Line> lines = new ArrayList<>(List.of(
                // support, in arrears, the whole of November
                flat("support", "20.00", "Support"),
                // tokens by model, values in ascending order.
                // big: volume, 6000 + 6500 = 12500 > 10000, so tier 2 for all units: 12500 x 0.008 = 100.00, + flat 5
                usage("tokens", "12500", "100.00", "model=big: Tier 2"),
                usage("tokens", "1", "5.00", "model=big: Tier 2 flat fee"),
                // medium: default unit price, 4321 x 0.002 = 8.642 -> 8.64
                usage("tokens", "4321", "8.64", "model=medium: Usage"),
                // small: 1000 at 00:00 Nov 1 + 2347 at 23:59:59 Nov 30 local (the 1000 at 23:59:59 Oct 31 is before
                // the start) = 3347 x 0.002 = 6.694 -> 6.69
                usage("tokens", "3347", "6.69", "model=small: Usage"),
                // calls: 237 events, 50 free, 187 billable, ceil(187 / 100) = 2 packages x 5 = 10.00
                usage("calls", "2", "10.00", "237 used, 50 free, 187 billable"),
                // below the minimum 25: true-up 25.00 - 10.00 = 15.00
                trueUp("calls", "15.00", "minimum 25"),
                // storage: 2.5 GB x 240 h + 4 GB x 120 h = 600 + 480 = 1080 GB-h; 100 included
                usage("storage", "100", "0.00", "Included usage"),
                // 980 billable: tier 1 500 x 0.05 = 25.00
                usage("storage", "500", "25.00", "Tier 1"),
                // tier 2: 480 x 0.02 = 9.60, + tier 2 flat fee 10.00
                usage("storage", "480", "9.60", "Tier 2"),
                usage("storage", "1", "10.00", "Tier 2 flat fee")));
        if (perEvent) {
            lines.addAll(List.of(
                    // payments, in order: 120.00 free (first free event); 5.00 -> 0.145 + 0.30 = 0.445 < min 0.50;
                    // 80.00 -> 2.32 + 0.30 = 2.62; 1000.00 -> 29.00 + 0.30 = 29.30 > max 10; 33.33 -> 0.96657 + 0.30
                    usage("payments", "1", "0.00", "Free events"),
                    // uncapped events: (80.00 + 33.33) x 2.9 % = 113.33 x 0.029 = 3.28657 -> 3.29
                    usage("payments", "113.33", "3.29", "2.9% of the value of 2 events"),
                    // 2 x 0.30
                    usage("payments", "2", "0.60", "Fixed fee per event"),
                    // 1 x 0.50
                    usage("payments", "1", "0.50", "Minimum fee per event"),
                    // 1 x 10
                    usage("payments", "1", "10.00", "Maximum fee per event"),
                    // payouts: 700 + 550.50 = 1250.50; tier 1: 1000 x 1 % = 10.00 + flat 5; tier 2: 250.50 x 0.5 %
                    // = 1.2525 -> 1.25 + flat 10
                    usage("payouts", "1000", "10.00", "Tier 1"),
                    usage("payouts", "1", "5.00", "Tier 1 flat fee"),
                    usage("payouts", "250.50", "1.25", "Tier 2"),
                    usage("payouts", "1", "10.00", "Tier 2 flat fee"),
                    // services, dynamic: 12.345 + 19.99 = 32.335 -> 32.34 (HALF_UP), above the maximum 30: cap -2.34
                    usage("services", "32.335", "32.34", "2 events at their own price"),
                    cap("services", "-2.34", "maximum 30")));
        }
        // December's platform fee, in advance
        lines.add(flat("platform", "49.00", "Platform fee"));
        if (perEvent) {
            assertInvoice(nov,
                    // 20.00 + (100.00 + 5.00 + 8.64 + 6.69) + (10.00 + 15.00) + (0.00 + 25.00 + 9.60 + 10.00)
                    // + (0.00 + 3.29 + 0.60 + 0.50 + 10.00) + (10.00 + 5.00 + 1.25 + 10.00) + (32.34 - 2.34) + 49.00
                    // = 20.00 + 120.33 + 25.00 + 44.60 + 14.39 + 26.25 + 30.00 + 49.00 = 329.57
                    "329.57",
                    // 329.57 x 8.875 % = 29.2493375 -> 29.25
                    "29.25",
                    // 329.57 + 29.25
                    "358.82", lines.toArray(Line[]::new));
        } else {
            assertInvoice(nov,
                    // 20.00 + (100.00 + 5.00 + 8.64 + 6.69) + (10.00 + 15.00) + (0.00 + 25.00 + 9.60 + 10.00) + 49.00
                    // = 20.00 + 120.33 + 25.00 + 44.60 + 49.00 = 258.93
                    "258.93",
                    // 258.93 x 8.875 % = 22.9800375 -> 22.98
                    "22.98",
                    // 258.93 + 22.98
                    "281.91", lines.toArray(Line[]::new));
        }
        JsonNode platform = nov.get("lines").get(lines.size() - 1);
        assertThat(platform.get("period_start").asText()).isEqualTo("2026-12-01T08:00:00Z");
        assertThat(platform.get("period_end").asText()).isEqualTo("2027-01-01T08:00:00Z");
        // Every usage line explains itself: meter, version, plan and the events behind its charge.
        JsonNode calls = nov.get("lines").get(5);
        assertThat(calls.get("meter").asText()).isEqualTo("calls");
        assertThat(calls.get("meter_version").asInt()).isEqualTo(1);
        assertThat(calls.get("plan").asText()).isEqualTo("growth-usd");
        assertThat(calls.get("events").asLong()).isEqualTo(237);
        assertThat(eventIds(nov, calls)).hasSize(237).allMatch(id -> id.startsWith("la-call-"));
        JsonNode storage = nov.get("lines").get(8);
        assertThat(eventIds(nov, storage)).containsExactly("la-gb-1", "la-gb-2", "la-gb-3");
    }

    void assertLaDecember(boolean perEvent) {
        JsonNode dec = invoiceFor(t, LA, LA_JAN);
        assertThat(dec.get("number").asText()).isEqualTo("INV-000009");
        assertThat(dec.get("period_start").asText()).isEqualTo("2026-12-01T08:00:00Z");
        assertThat(dec.get("period_end").asText()).isEqualTo("2027-01-01T08:00:00Z");
        List<Line> lines = new ArrayList<>(List.of(
                flat("support", "20.00", "Support"),
                // 1500 small tokens at 00:00:30 Dec 1 local: 1500 x 0.002 = 3.00 (only values present are rated)
                usage("tokens", "1500", "3.00", "model=small: Usage"),
                // no calls: 0 packages; the minimum 25 still applies
                usage("calls", "0", "0.00", "0 used"),
                trueUp("calls", "25.00", "minimum 25"),
                // storage at 0 GB all month (the last reading, 0, carried in): tier 1, 0 units, nothing included
                usage("storage", "0", "0.00", "Tier 1")));
        if (perEvent) {
            // no payments and no services: no lines; no payouts: tier 1 is entered at zero, its flat fee is billed
            lines.add(usage("payouts", "0", "0.00", "Tier 1"));
            lines.add(usage("payouts", "1", "5.00", "Tier 1 flat fee"));
        }
        // January's platform fee in advance
        lines.add(flat("platform", "49.00", "Platform fee"));
        // late: 655 small tokens on Nov 20. November small re-rated: (3347 + 655) x 0.002 = 8.004 -> 8.00,
        // billed 6.69: adjustment 8.00 - 6.69 = 1.31
        lines.add(adjustment("tokens", "1.31", "(quantity +655)"));
        if (perEvent) {
            assertInvoice(dec,
                    // 20.00 + 3.00 + 0.00 + 25.00 + 0.00 + 0.00 + 5.00 + 49.00 + 1.31 = 103.31
                    "103.31",
                    // 103.31 x 8.875 % = 9.1687625 -> 9.17
                    "9.17",
                    "112.48", lines.toArray(Line[]::new));
        } else {
            assertInvoice(dec,
                    // 20.00 + 3.00 + 0.00 + 25.00 + 0.00 + 49.00 + 1.31 = 98.31
                    "98.31",
                    // 98.31 x 8.875 % = 8.7250125 -> 8.73
                    "8.73",
                    "107.04", lines.toArray(Line[]::new));
        }
        JsonNode adj = dec.get("lines").get(lines.size() - 1);
        assertThat(adj.get("adjusts_period").get("start").asText()).isEqualTo("2026-11-01T07:00:00Z");
        assertThat(adj.get("adjusts_period").get("end").asText()).isEqualTo("2026-12-01T08:00:00Z");
        assertThat(adj.get("description").asText()).contains("2026-11-01T07:00:00Z");
        assertThat(eventIds(dec, adj)).as("the late event is among the events behind the adjustment")
                .contains("la-tok-late");
    }

    List<String> eventIds(JsonNode invoice, JsonNode line) {
        JsonNode listed = ok(t.get("/v1/invoices/" + invoice.get("id").asText() + "/lines/" + line.get("id").asText()
                + "/events?limit=1000"));
        List<String> ids = new ArrayList<>();
        listed.get("events").forEach(e -> ids.add(e.get("id").asText()));
        return ids;
    }

    static Map<String, JsonNode> byCharge(JsonNode subscription) {
        Map<String, JsonNode> out = new HashMap<>();
        subscription.get("charges").forEach(c -> out.put(c.get("charge").asText(), c));
        return out;
    }
}

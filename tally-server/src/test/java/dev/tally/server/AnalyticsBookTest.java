package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.event;
import static dev.tally.server.BillingFixtures.ingest;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.BillingFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A book of subscriptions over six months (January to June 2026) through upgrades, downgrades, cancellations and
 * reactivations, billed by real billing runs on a fake clock; every MRR movement is asserted against the hand
 * computation written below, and the revenue figures against the invoices' own lines.
 *
 * <p>Plans (monthly, flat fees in advance): basic 30.00 USD, pro 100.00 USD, metered 20.00 USD + 0.10 per request,
 * basic-eur 25.00 EUR. The book:
 * <pre>
 *  a  basic from Jan 1, upgraded to pro on Mar 15
 *  b  pro from Jan 1, downgraded to basic on Apr 10
 *  c  basic from Feb 1, cancelled on Apr 20; subscribes to pro again on Jun 1 (reactivation)
 *  d  metered from Jan 1 (100 requests in Jan, 300 in Feb, 50 in Mar, none in Apr), cancelled to end May 1
 *  e  basic from Jan 1, cancelled on Feb 15; basic again from Apr 1 (reactivation), upgraded to pro on May 10
 *  f  basic-eur from Jan 1 (EUR)
 * </pre>
 * MRR at each month's end (flat fee of the plan in force + usage of the last closed period), USD:
 * <pre>
 *        a    b    c    d              e    total
 *  Jan   30  100    -   20+10.00=30    30   190
 *  Feb   30  100   30   20+30.00=50     -   210
 *  Mar  100  100   30   20+ 5.00=25     -   255
 *  Apr  100   30    -   20+ 0.00=20    30   180
 *  May  100   30    -        -        100   230
 *  Jun  100   30  100        -        100   330
 * </pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnalyticsBookTest {
    MutableClock clock;
    TestServer t;
    final Map<String, String> subs = new TreeMap<>();

    static Instant at(String date) {
        return Instant.parse(date + "T00:00:00Z");
    }

    void plan(String key, String currency, String amount, boolean metered) {
        created(t.post("/v1/plans", "{\"key\":\"" + key + "\",\"currency\":\"" + currency
                + "\",\"interval\":\"monthly\",\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"amount\":\"" + amount
                + "\",\"timing\":\"in_advance\"}" + (metered ? ",{\"key\":\"requests\",\"type\":\"usage\","
                + "\"meter\":\"requests\",\"price\":{\"model\":\"unit\",\"unit_price\":\"0.10\"}}" : "") + "]}"));
    }

    void customer(String id, String currency) {
        created(t.post("/v1/customers", "{\"external_id\":\"" + id + "\",\"timezone\":\"UTC\",\"currency\":\""
                + currency + "\"}"));
    }

    void subscribe(String name, String customer, String plan, String start) {
        subs.put(name, created(t.post("/v1/subscriptions", "{\"customer\":\"" + customer + "\",\"plan\":\"" + plan
                + "\",\"start\":\"" + at(start) + "\"}")).get("id").asText());
    }

    void change(String name, String plan) {
        ok(t.post("/v1/subscriptions/" + subs.get(name) + "/change", "{\"plan\":\"" + plan + "\"}"));
    }

    void cancel(String name, String atDate) {
        ok(t.post("/v1/subscriptions/" + subs.get(name) + "/cancel", "{\"at\":\"" + at(atDate) + "\"}"));
    }

    void requests(String id, int n) {
        ingest(t, List.of(event(id, "api.requests", "d", clock.instant(), "{\"n\":" + n + "}")));
    }

    void day(String date) {
        moveTo(clock, at(date).plusSeconds(60));
    }

    @BeforeAll
    void buildTheBook() throws Exception {
        clock = new MutableClock(at("2026-01-01"));
        t = new TestServer(clock);
        ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
        created(t.post("/v1/meters", "{\"key\":\"requests\",\"event_type\":\"api.requests\",\"aggregation\":\"sum\","
                + "\"value_path\":\"n\"}"));
        plan("basic", "USD", "30.00", false);
        plan("pro", "USD", "100.00", false);
        plan("metered", "USD", "20.00", true);
        plan("basic-eur", "EUR", "25.00", false);
        for (String c : List.of("a", "b", "c", "d", "e")) {
            customer(c, "USD");
        }
        customer("f", "EUR");
        subscribe("a", "a", "basic", "2026-01-01");
        subscribe("b", "b", "pro", "2026-01-01");
        subscribe("d", "d", "metered", "2026-01-01");
        subscribe("e", "e", "basic", "2026-01-01");
        subscribe("f", "f", "basic-eur", "2026-01-01");
        day("2026-01-01");
        run(t);
        day("2026-01-10");
        requests("d-jan", 100);
        day("2026-02-01");
        subscribe("c", "c", "basic", "2026-02-01");
        run(t);
        day("2026-02-10");
        requests("d-feb", 300);
        day("2026-02-15");
        cancel("e", "2026-02-15");
        day("2026-03-01");
        run(t);
        day("2026-03-10");
        requests("d-mar", 50);
        day("2026-03-15");
        change("a", "pro");
        day("2026-04-01");
        subscribe("e2", "e", "basic", "2026-04-01");
        run(t);
        day("2026-04-10");
        change("b", "basic");
        day("2026-04-15");
        cancel("d", "2026-05-01");
        day("2026-04-20");
        cancel("c", "2026-04-20");
        day("2026-05-01");
        run(t);
        day("2026-05-10");
        change("e2", "pro");
        day("2026-06-01");
        subscribe("c2", "c", "pro", "2026-06-01");
        run(t);
        day("2026-07-01");
        run(t);
        // payments: a pays 10.00 of its January invoice (30.00) by bank transfer; b's (100.00) is marked paid
        created(t.post("/v1/invoices/" + januaryInvoice("a") + "/payments",
                "{\"outcome\":\"succeeded\",\"amount\":\"10.00\",\"reference\":\"wire-a\"}"));
        ok(t.post("/v1/invoices/" + januaryInvoice("b") + "/mark-paid", ""));
    }

    String januaryInvoice(String customer) {
        for (JsonNode i : ok(t.get("/v1/invoices?customer=" + customer)).get("invoices")) {
            if (i.get("issued_for").asText().equals(at("2026-01-01").toString())) {
                return i.get("id").asText();
            }
        }
        throw new AssertionError("no January invoice of " + customer);
    }

    @AfterAll
    void stop() {
        t.close();
    }

    JsonNode row(JsonNode report, String month, String currency) {
        for (JsonNode r : report.get("months")) {
            if (r.get("month").asText().equals(month) && r.get("currency").asText().equals(currency)) {
                return r;
            }
        }
        throw new AssertionError("no row for " + month + " " + currency + " in " + report);
    }

    /** month, mrr, new, expansion, contraction, churned, reactivated, customers, NRR (null when none). */
    record Expected(String month, String mrr, String newMrr, String expansion, String contraction, String churned,
            String reactivated, int customers, String nrr) {
    }

    @Test
    void everyMovementOfTheSixMonthsMatchesTheHandComputation() {
        JsonNode mrr = ok(t.get("/v1/analytics/mrr?from=2026-01&to=2026-06"));
        List<Expected> usd = List.of(
                // Jan: a 30, b 100, d 20 + 100 x 0.10, e 30 are all new
                new Expected("2026-01", "190.00", "190.00", "0", "0", "0", "0", 4, null),
                // Feb: c new 30; d's usage 10 -> 30 expands it by 20; e cancelled Feb 15 churns 30
                new Expected("2026-02", "210.00", "30.00", "20.00", "0", "30.00", "0", 4, "0.9474"), // 180/190
                // Mar: a upgraded 30 -> 100 (+70); d's usage 30 -> 5 (-25)
                new Expected("2026-03", "255.00", "0", "70.00", "25.00", "0", "0", 4, "1.2143"), // 255/210
                // Apr: b downgraded 100 -> 30 (-70), d's usage 5 -> 0 (-5); c churns 30; e back on basic: 30
                new Expected("2026-04", "180.00", "0", "0", "75.00", "30.00", "30.00", 4, "0.5882"), // 150/255
                // May: d ended May 1 churns 20; e upgraded 30 -> 100 (+70)
                new Expected("2026-05", "230.00", "0", "70.00", "0", "20.00", "0", 3, "1.2778"), // 230/180
                // Jun: c back on pro: reactivated 100
                new Expected("2026-06", "330.00", "0", "0", "0", "0", "100.00", 4, "1.0000")); // 230/230
        BigDecimal previous = BigDecimal.ZERO;
        for (Expected e : usd) {
            JsonNode r = row(mrr, e.month(), "USD");
            assertThat(new BigDecimal(r.get("previous_mrr").asText())).as(e.month()).isEqualByComparingTo(previous);
            assertThat(new BigDecimal(r.get("mrr").asText())).as(e.month() + " mrr").isEqualByComparingTo(e.mrr());
            assertThat(new BigDecimal(r.get("arr").asText())).as(e.month() + " arr")
                    .isEqualByComparingTo(new BigDecimal(e.mrr()).multiply(BigDecimal.valueOf(12)));
            assertThat(new BigDecimal(r.get("new").asText())).as(e.month() + " new").isEqualByComparingTo(e.newMrr());
            assertThat(new BigDecimal(r.get("expansion").asText())).as(e.month() + " expansion")
                    .isEqualByComparingTo(e.expansion());
            assertThat(new BigDecimal(r.get("contraction").asText())).as(e.month() + " contraction")
                    .isEqualByComparingTo(e.contraction());
            assertThat(new BigDecimal(r.get("churned").asText())).as(e.month() + " churned")
                    .isEqualByComparingTo(e.churned());
            assertThat(new BigDecimal(r.get("reactivated").asText())).as(e.month() + " reactivated")
                    .isEqualByComparingTo(e.reactivated());
            assertThat(r.get("customers").asInt()).as(e.month() + " customers").isEqualTo(e.customers());
            if (e.nrr() == null) {
                assertThat(r.get("net_revenue_retention").isNull()).isTrue();
            } else {
                assertThat(r.get("net_revenue_retention").asText()).as(e.month() + " NRR").isEqualTo(e.nrr());
            }
            previous = new BigDecimal(e.mrr());
        }
        // f: 25.00 EUR, new in January, flat after
        assertThat(row(mrr, "2026-01", "EUR").get("new").asText()).isEqualTo("25.00");
        assertThat(row(mrr, "2026-06", "EUR").get("mrr").asText()).isEqualTo("25.00");
        assertThat(row(mrr, "2026-06", "EUR").get("net_revenue_retention").asText()).isEqualTo("1.0000");
    }

    @Test
    void mrrByPlanMovesCustomersBetweenPlans() {
        JsonNode byPlan = ok(t.get("/v1/analytics/mrr?from=2026-03&to=2026-03&group_by=plan"));
        Map<String, JsonNode> rows = new TreeMap<>();
        byPlan.get("months").forEach(r -> rows.put(r.get("group").asText(), r));
        // March: a leaves basic (churn 30 within basic) and arrives on pro (new 100 within pro)
        assertThat(rows.get("basic").get("mrr").asText()).isEqualTo("30.00"); // c
        assertThat(rows.get("basic").get("churned").asText()).isEqualTo("30.00");
        assertThat(rows.get("pro").get("mrr").asText()).isEqualTo("200.00"); // a, b
        assertThat(rows.get("pro").get("new").asText()).isEqualTo("100.00");
        assertThat(rows.get("metered").get("contraction").asText()).isEqualTo("25.00");
    }

    @Test
    void convertsToTheReportingCurrencyWithTheOperatorsRateExactly() {
        JsonNode mrr = ok(t.get("/v1/analytics/mrr?from=2026-01&to=2026-06&currency=USD&rate[EUR]=1.10"));
        JsonNode rep = mrr.get("reporting");
        assertThat(rep.get("currency").asText()).isEqualTo("USD");
        JsonNode jan = rep.get("months").get(0);
        assertThat(jan.get("month").asText()).isEqualTo("2026-01");
        // 190.00 USD + 25.00 EUR x 1.10
        assertThat(new BigDecimal(jan.get("mrr").asText())).isEqualByComparingTo("217.50");
        assertThat(new BigDecimal(jan.get("new").asText())).isEqualByComparingTo("217.50");
        JsonNode jun = rep.get("months").get(5);
        assertThat(new BigDecimal(jun.get("mrr").asText())).isEqualByComparingTo("357.50");

        TestServer.Reply missing = t.get("/v1/analytics/mrr?from=2026-01&to=2026-06&currency=USD");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body()).contains("rate[EUR]");
        assertThat(t.get("/v1/analytics/mrr?from=2026-13").status()).isEqualTo(400);
        assertThat(t.get("/v1/analytics/mrr?group_by=meter").status()).isEqualTo(400);
        assertThat(t.get("/v1/analytics/mrr?from=2026-06&to=2026-01").status()).isEqualTo(400);
    }

    /** Every finalized or paid invoice of the tenant, with its lines. */
    List<JsonNode> finalizedInvoices() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode i : ok(t.get("/v1/invoices?limit=1000")).get("invoices")) {
            String status = i.get("status").asText();
            if (status.equals("finalized") || status.equals("paid")) {
                out.add(ok(t.get("/v1/invoices/" + i.get("id").asText())));
            }
        }
        return out;
    }

    static String month(JsonNode invoice) {
        return YearMonth.from(Instant.parse(invoice.get("finalized_at").asText()).atOffset(ZoneOffset.UTC)).toString();
    }

    @Test
    void revenueEqualsTheSumOfTheInvoicesLinesForEveryMonthAndMeter() {
        List<JsonNode> invoices = finalizedInvoices();
        assertThat(invoices).hasSizeGreaterThan(30);
        Map<String, BigDecimal> lines = new TreeMap<>();
        Map<String, BigDecimal> due = new TreeMap<>();
        Map<String, BigDecimal> requests = new TreeMap<>();
        for (JsonNode inv : invoices) {
            String k = month(inv) + " " + inv.get("currency").asText();
            due.merge(k, new BigDecimal(inv.get("amount_due").asText()), BigDecimal::add);
            for (JsonNode l : inv.get("lines")) {
                lines.merge(k, new BigDecimal(l.get("amount").asText()), BigDecimal::add);
                if (l.get("meter").asText("").equals("requests")) {
                    requests.merge(month(inv), new BigDecimal(l.get("amount").asText()), BigDecimal::add);
                }
            }
        }
        JsonNode revenue = ok(t.get("/v1/analytics/revenue?from=2026-01&to=2026-07"));
        Map<String, BigDecimal> reported = new TreeMap<>();
        Map<String, BigDecimal> reportedDue = new TreeMap<>();
        for (JsonNode r : revenue.get("months")) {
            String k = r.get("month").asText() + " " + r.get("currency").asText();
            reported.put(k, new BigDecimal(r.get("invoiced").asText()));
            reportedDue.put(k, new BigDecimal(r.get("amount_due").asText()));
            if (k.equals("2026-01 USD")) {
                // January: a 30.00, b 100.00, d 20.00, e 30.00 due; collected a's 10.00 and b's 100.00 (marked paid)
                assertThat(new BigDecimal(r.get("amount_due").asText())).isEqualByComparingTo("180.00");
                assertThat(new BigDecimal(r.get("collected").asText())).isEqualByComparingTo("110.00");
                assertThat(new BigDecimal(r.get("outstanding").asText())).isEqualByComparingTo("70.00");
                assertThat(new BigDecimal(r.get("credits_applied").asText())).isZero();
            } else {
                // nothing collected: all of it is outstanding
                assertThat(new BigDecimal(r.get("collected").asText())).as(k).isZero();
                assertThat(new BigDecimal(r.get("outstanding").asText())).as(k)
                        .isEqualByComparingTo(r.get("amount_due").asText());
            }
        }
        assertThat(reported.keySet()).isEqualTo(lines.keySet());
        lines.forEach((k, v) -> assertThat(reported.get(k)).as(k).isEqualByComparingTo(v));
        due.forEach((k, v) -> assertThat(reportedDue.get(k)).as(k).isEqualByComparingTo(v));

        // usage revenue per meter over time: Jan's 100 requests are invoiced on Feb 1, and so on
        JsonNode byMeter = ok(t.get("/v1/analytics/revenue?from=2026-01&to=2026-07&group_by=meter"));
        Map<String, BigDecimal> perMonth = new TreeMap<>();
        for (JsonNode r : byMeter.get("months")) {
            if (r.get("group").asText().equals("requests")) {
                perMonth.put(r.get("month").asText(), new BigDecimal(r.get("usage").asText()));
            }
        }
        assertThat(perMonth.get("2026-02")).isEqualByComparingTo("10.00");
        assertThat(perMonth.get("2026-03")).isEqualByComparingTo("30.00");
        assertThat(perMonth.get("2026-04")).isEqualByComparingTo("5.00");
        requests.forEach((m, v) -> assertThat(perMonth.getOrDefault(m, BigDecimal.ZERO)).as(m).isEqualByComparingTo(v));
    }

    @Test
    void topCustomersByUsageRevenue() {
        JsonNode top = ok(t.get("/v1/analytics/customers/top?from=2026-01&to=2026-07&limit=5"));
        assertThat(top.get("customers")).hasSize(1);
        JsonNode d = top.get("customers").get(0);
        assertThat(d.get("customer").asText()).isEqualTo("d");
        assertThat(new BigDecimal(d.get("usage").asText())).isEqualByComparingTo("45.00"); // 10 + 30 + 5 + 0
    }
}

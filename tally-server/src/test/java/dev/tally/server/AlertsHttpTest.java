package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.event;
import static dev.tally.server.BillingFixtures.ingest;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.EntitlementFixtures.firings;
import static dev.tally.server.EntitlementFixtures.outbox;
import static dev.tally.server.EntitlementFixtures.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Usage and spend alerts over HTTP: definitions and their validation, each threshold firing exactly once per period
 * (and its usage.threshold_crossed message recorded once) under concurrent ingestion and evaluation, firing again
 * in the next period, plan-wide alerts, spend against a budget, the 80/95/100 % default, and a customer's alerts
 * with their state.
 */
class AlertsHttpTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant DEC_1 = Instant.parse("2026-12-01T00:00:00Z");

    MutableClock clock;
    TestServer t;
    final AtomicInteger ids = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_1);
        t = new TestServer(clock);
        created(t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                + "\"value_path\":\"tokens\"}"));
        // 30.00 in advance, tokens at 0.01 after 1,000 included
        created(t.post("/v1/plans", """
                {"key":"pro","currency":"USD","interval":"monthly","charges":[
                  {"key":"base","type":"flat","amount":"30.00","timing":"in_advance"},
                  {"key":"tokens","type":"usage","meter":"tokens","included_quantity":"1000",
                   "price":{"model":"unit","unit_price":"0.01"}}]}"""));
        created(t.post("/v1/plans", """
                {"key":"basic","currency":"USD","interval":"monthly","charges":[
                  {"key":"tokens","type":"usage","meter":"tokens","price":{"model":"unit","unit_price":"0.02"}}]}"""));
        customer("acme");
        subscribe("acme", "pro");
    }

    @AfterEach
    void stop() {
        t.close();
    }

    void customer(String id) {
        created(t.post("/v1/customers", "{\"external_id\":\"" + id + "\",\"currency\":\"USD\"}"));
    }

    void subscribe(String customer, String plan) {
        created(t.post("/v1/subscriptions", "{\"customer\":\"" + customer + "\",\"plan\":\"" + plan
                + "\",\"start\":\"" + NOV_1 + "\"}"));
    }

    void tokens(TestServer client, String customer, int n) {
        ingest(client, List.of(event("e" + ids.incrementAndGet(), "llm.tokens", customer, clock.instant(),
                "{\"tokens\":" + n + "}")));
    }

    String alert(String json) {
        return created(t.post("/v1/alerts", json)).get("id").asText();
    }

    int evaluate() {
        return t.server.engine().evaluateAlerts();
    }

    static List<String> crossed(List<JsonNode> messages) {
        return messages.stream().map(m -> m.get("customer").asText() + " " + m.get("threshold").asText() + " "
                + m.get("period").get("start").asText()).toList();
    }

    @Test
    void alertsAreCreatedListedReadAndDeleted() {
        JsonNode a = created(t.post("/v1/alerts", "{\"name\":\"big spender\",\"customer\":\"acme\",\"metric\":\"usage\","
                + "\"meter\":\"tokens\",\"thresholds\":[\"5000\",\"1000\"]}"));
        String id = a.get("id").asText();

        assertThat(id).startsWith("alt_");
        assertThat(a.get("thresholds").toString()).isEqualTo("[\"1000\",\"5000\"]");
        assertThat(a.get("created_at").asText()).isEqualTo(NOV_1.toString());
        assertThat(ok(t.get("/v1/alerts/" + id))).isEqualTo(a);
        assertThat(ok(t.get("/v1/alerts")).get("alerts")).containsExactly(a);
        status(t.send("DELETE", "/v1/alerts/" + id, null, null, TestServer.KEY), 204);
        status(t.get("/v1/alerts/" + id), 404);
        status(t.send("DELETE", "/v1/alerts/" + id, null, null, TestServer.KEY), 404);
        assertThat(ok(t.get("/v1/alerts")).get("alerts")).isEmpty();
    }

    @Test
    void anInvalidAlertIsRefusedWithTheOffendingField() {
        assertThat(status(t.post("/v1/alerts", "{\"customer\":\"ghost\",\"metric\":\"spend\",\"thresholds\":[\"1\"]}"), 400)
                .get("errors").get(0).get("field").asText()).isEqualTo("customer");
        assertThat(status(t.post("/v1/alerts", "{\"plan\":\"nope\",\"metric\":\"spend\",\"thresholds\":[\"1\"]}"), 400)
                .get("errors").get(0).get("field").asText()).isEqualTo("plan");
        assertThat(status(t.post("/v1/alerts", "{\"customer\":\"acme\",\"metric\":\"usage\",\"meter\":\"nope\",\"thresholds\":[\"1\"]}"), 400)
                .get("errors").get(0).get("field").asText()).isEqualTo("meter");
        assertThat(status(t.post("/v1/alerts", "{\"customer\":\"acme\",\"metric\":\"usage\",\"meter\":\"tokens\"}"), 400)
                .get("errors").get(0).get("field").asText()).isEqualTo("thresholds");
        status(t.post("/v1/alerts", "not json"), 400);
    }

    @Test
    void eachThresholdFiresExactlyOncePerPeriodUnderConcurrentIngestionAndEvaluation() throws Exception {
        String id = alert("{\"customer\":\"acme\",\"metric\":\"usage\",\"meter\":\"tokens\","
                + "\"thresholds\":[\"1000\",\"2500\",\"5000\"]}");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (Instant period : List.of(NOV_1, DEC_1)) {
                moveTo(clock, period);
                CountDownLatch go = new CountDownLatch(1);
                AtomicBoolean ingesting = new AtomicBoolean(true);
                AtomicInteger firedByEvaluators = new AtomicInteger();
                List<Future<?>> ingesters = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    TestServer client = new TestServer(t);
                    ingesters.add(pool.submit(() -> {
                        go.await();
                        // 3,000 tokens each, in 100 requests of 30
                        for (int n = 0; n < 100; n++) {
                            tokens(client, "acme", 30);
                        }
                        return null;
                    }));
                }
                List<Future<?>> evaluators = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    evaluators.add(pool.submit(() -> {
                        go.await();
                        while (ingesting.get()) {
                            firedByEvaluators.addAndGet(evaluate());
                        }
                        firedByEvaluators.addAndGet(evaluate());
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : ingesters) {
                    f.get();
                }
                ingesting.set(false);
                for (Future<?> f : evaluators) {
                    f.get();
                }
                evaluate();
                assertThat(firedByEvaluators.get()).as("fired in " + period + " by the two racing evaluators (the "
                        + "scheduled evaluator may have fired some too)").isLessThanOrEqualTo(3);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(firings(t)).containsExactly(
                id + " acme 2026-11-01T00:00:00Z 1000", id + " acme 2026-11-01T00:00:00Z 2500",
                id + " acme 2026-11-01T00:00:00Z 5000",
                id + " acme 2026-12-01T00:00:00Z 1000", id + " acme 2026-12-01T00:00:00Z 2500",
                id + " acme 2026-12-01T00:00:00Z 5000");
        List<JsonNode> messages = outbox(t, "usage.threshold_crossed");
        assertThat(crossed(messages)).containsExactlyInAnyOrder(
                "acme 1000 2026-11-01T00:00:00Z", "acme 2500 2026-11-01T00:00:00Z", "acme 5000 2026-11-01T00:00:00Z",
                "acme 1000 2026-12-01T00:00:00Z", "acme 2500 2026-12-01T00:00:00Z", "acme 5000 2026-12-01T00:00:00Z");
        for (JsonNode m : messages) {
            assertThat(m.get("alert").asText()).isEqualTo(id);
            assertThat(m.get("metric").asText()).isEqualTo("usage");
            assertThat(m.get("meter").asText()).isEqualTo("tokens");
            assertThat(m.get("threshold_kind").asText()).isEqualTo("absolute");
            assertThat(new java.math.BigDecimal(m.get("value").asText()))
                    .isGreaterThanOrEqualTo(new java.math.BigDecimal(m.get("threshold").asText()));
        }
    }

    @Test
    void aThresholdFiresAgainInTheNextPeriodButNotTwiceInOne() {
        String id = alert("{\"customer\":\"acme\",\"metric\":\"usage\",\"meter\":\"tokens\",\"thresholds\":[\"100\"]}");
        tokens(t, "acme", 150);
        assertThat(evaluate()).isEqualTo(1);
        tokens(t, "acme", 150);
        assertThat(evaluate()).isZero();

        moveTo(clock, Instant.parse("2026-11-30T23:59:59Z"));
        assertThat(evaluate()).isZero();
        moveTo(clock, DEC_1);
        assertThat(evaluate()).as("December starts at zero").isZero();
        tokens(t, "acme", 99);
        assertThat(evaluate()).isZero();
        tokens(t, "acme", 1);
        assertThat(evaluate()).isEqualTo(1);

        assertThat(crossed(outbox(t, "usage.threshold_crossed")))
                .containsExactly("acme 100 2026-11-01T00:00:00Z", "acme 100 2026-12-01T00:00:00Z");
        JsonNode first = outbox(t, "usage.threshold_crossed").get(0);
        assertThat(first.get("value").asText()).isEqualTo("150");
        assertThat(first.get("threshold_value").asText()).isEqualTo("100");
        assertThat(first.get("period").get("end").asText()).isEqualTo("2026-12-01T00:00:00Z");
        assertThat(first.get("alert").asText()).isEqualTo(id);
    }

    @Test
    void aPlanAlertWatchesEverySubscriptionOfThePlanWithThe80_95_100PercentDefault() {
        String id = alert("{\"plan\":\"pro\",\"metric\":\"usage\",\"meter\":\"tokens\",\"of\":\"included\"}");
        assertThat(ok(t.get("/v1/alerts/" + id)).get("percent_thresholds").toString()).isEqualTo("[\"80\",\"95\",\"100\"]");
        customer("globex");
        subscribe("globex", "pro");
        customer("initech");
        subscribe("initech", "basic");

        tokens(t, "acme", 800);
        tokens(t, "globex", 960);
        tokens(t, "initech", 5000);
        evaluate();

        List<JsonNode> messages = outbox(t, "usage.threshold_crossed");
        assertThat(crossed(messages)).containsExactlyInAnyOrder("acme 80 2026-11-01T00:00:00Z",
                "globex 80 2026-11-01T00:00:00Z", "globex 95 2026-11-01T00:00:00Z");
        JsonNode globex95 = messages.stream().filter(m -> m.get("threshold").asText().equals("95")).findFirst().orElseThrow();
        assertThat(globex95.get("threshold_kind").asText()).isEqualTo("percent");
        assertThat(globex95.get("of").asText()).isEqualTo("included");
        // 95 % of the 1,000 included
        assertThat(globex95.get("threshold_value").asText()).isEqualTo("950");
        assertThat(globex95.get("value").asText()).isEqualTo("960");
        assertThat(globex95.get("plan").asText()).isEqualTo("pro");

        JsonNode state = ok(t.get("/v1/customers/globex/alerts")).get("alerts").get(0);
        assertThat(state.get("id").asText()).isEqualTo(id);
        assertThat(state.get("value").asText()).isEqualTo("960");
        assertThat(state.get("base").asText()).isEqualTo("1000");
        assertThat(state.get("period_start").asText()).isEqualTo("2026-11-01T00:00:00Z");
        List<String> thresholds = new ArrayList<>();
        state.get("state").forEach(s -> thresholds.add(s.get("threshold").asText() + " " + s.get("threshold_value").asText()
                + " " + s.get("crossed").asBoolean() + " " + !s.get("fired_at").isNull()));
        assertThat(thresholds).containsExactly("80 800 true true", "95 950 true true", "100 1000 false false");
        assertThat(ok(t.get("/v1/customers/initech/alerts")).get("alerts")).as("not on the plan").isEmpty();
        status(t.get("/v1/customers/ghost/alerts"), 404);
    }

    @Test
    void aSpendAlertComparesTheEstimatedAmountOfThePeriodWithABudget() {
        alert("{\"customer\":\"acme\",\"metric\":\"spend\",\"of\":\"budget\",\"budget\":\"100.00\"}");
        // the 30.00 fee in advance alone
        assertThat(evaluate()).isZero();

        // 30.00 + (6,000 - 1,000 included) x 0.01 = 80.00
        tokens(t, "acme", 6000);
        assertThat(evaluate()).isEqualTo(1);
        // + 1,500 x 0.01 = 95.00
        tokens(t, "acme", 1500);
        assertThat(evaluate()).isEqualTo(1);

        List<JsonNode> messages = outbox(t, "usage.threshold_crossed");
        assertThat(messages).extracting(m -> m.get("threshold").asText() + " " + m.get("threshold_value").asText() + " "
                + m.get("value").asText()).containsExactlyInAnyOrder("80 80 80.00", "95 95 95.00");
        assertThat(messages.get(1).get("metric").asText()).isEqualTo("spend");
        assertThat(messages.get(1).get("currency").asText()).isEqualTo("USD");
        assertThat(messages.get(1).get("meter").isNull()).isTrue();
    }

    @Test
    void aSpendThresholdReachedByTheNextPeriodsFeeAloneFiresWhenThePeriodRollsOver() {
        alert("{\"customer\":\"acme\",\"metric\":\"spend\",\"thresholds\":[\"25\"]}");
        assertThat(evaluate()).isEqualTo(1);

        moveTo(clock, DEC_1);
        assertThat(evaluate()).as("no usage changed, but a new period started").isEqualTo(1);

        assertThat(crossed(outbox(t, "usage.threshold_crossed")))
                .containsExactly("acme 25 2026-11-01T00:00:00Z", "acme 25 2026-12-01T00:00:00Z");
    }

    @Test
    void anAlertCreatedAfterTheUsageFiresAtTheNextEvaluation() {
        tokens(t, "acme", 5000);
        evaluate();

        alert("{\"customer\":\"acme\",\"metric\":\"usage\",\"meter\":\"tokens\",\"thresholds\":[\"1000\",\"9000\"]}");

        assertThat(evaluate()).isEqualTo(1);
        assertThat(crossed(outbox(t, "usage.threshold_crossed"))).containsExactly("acme 1000 2026-11-01T00:00:00Z");
    }

    @Test
    void aDeletedAlertFiresNoMore() {
        String id = alert("{\"customer\":\"acme\",\"metric\":\"usage\",\"meter\":\"tokens\",\"thresholds\":[\"10\"]}");
        status(t.send("DELETE", "/v1/alerts/" + id, null, null, TestServer.KEY), 204);

        tokens(t, "acme", 50);

        assertThat(evaluate()).isZero();
        assertThat(outbox(t, "usage.threshold_crossed")).isEmpty();
    }
}

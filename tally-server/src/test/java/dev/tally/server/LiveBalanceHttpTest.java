package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.event;
import static dev.tally.server.BillingFixtures.ingest;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The live balance over HTTP on port 0: the wallets route with its live figures, burn rate and runway (hand
 * computed), balance alerts created, listed and shown beside usage alerts, a feature cut off at zero through its
 * balance requirement, and the portal's wallets for the token's customer. Tokens at 0.01 USD, no fee, no tax.
 */
class LiveBalanceHttpTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");

    MutableClock clock;
    TestServer t;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_1);
        t = new TestServer(clock);
        created(t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                + "\"value_path\":\"tokens\"}"));
        created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        created(t.post("/v1/plans", "{\"key\":\"prepaid\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}],"
                + "\"features\":[{\"key\":\"api\",\"type\":\"boolean\"}]}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"prepaid\",\"start\":\"" + NOV_1 + "\"}"));
        created(t.post("/v1/customers/acme/grants", "{\"amount\":\"100.00\",\"reason\":\"Prepaid\"}"));
    }

    @AfterEach
    void stop() {
        t.close();
    }

    void tokens(String id, String time, int n) {
        ingest(t, List.of(event(id, "llm.tokens", "acme", Instant.parse(time), "{\"tokens\":" + n + "}")));
    }

    @Test
    void theWalletsShowTheBalanceTheLiveBalanceAndHowLongItLasts() {
        moveTo(clock, Instant.parse("2026-11-05T00:00:00Z"));
        tokens("e1", "2026-11-02T00:00:00Z", 2000);
        JsonNode w = ok(t.get("/v1/customers/acme/wallets")).get("wallets").get(0);
        assertThat(w.get("balance").asText()).as("nothing drawn before an invoice").isEqualTo("100.00");
        // 20.00 of tokens over 4 days: 5.00 a day; 80.00 left lasts 16 days, until November 21
        assertThat(w.get("live_balance").asText()).isEqualTo("80.00");
        assertThat(w.get("usage_charges").asText()).isEqualTo("20.00");
        assertThat(w.get("burn_rate_per_day").asText()).isEqualTo("5.00");
        assertThat(w.get("runway_days").asText()).isEqualTo("16.0");
        assertThat(w.get("runs_out_at").asText()).isEqualTo("2026-11-21T00:00:00Z");
        assertThat(w.get("shortfall").asText()).isEqualTo("0.00");
        assertThat(w.get("depleted").asBoolean()).isFalse();
        assertThat(w.get("live_balance_as_of").asText()).isEqualTo("2026-11-05T00:00:00Z");

        String token = created(t.post("/v1/customers/acme/portal-tokens", "{\"ttl_seconds\":600}")).get("token").asText();
        JsonNode portal = t.send("GET", "/v1/portal/wallets", null, null, token).json();
        assertThat(portal.get("customer").asText()).isEqualTo("acme");
        assertThat(portal.get("wallets").get(0).get("live_balance").asText()).isEqualTo("80.00");
        assertThat(portal.get("wallets").get(0).get("runway_days").asText()).isEqualTo("16.0");
    }

    @Test
    void aBalanceAlertIsCreatedListedBesideUsageAlertsAndShowsItsState() {
        JsonNode a = created(t.post("/v1/alerts",
                "{\"customer\":\"acme\",\"metric\":\"balance\",\"thresholds\":[\"50.00\",\"10.00\"],\"name\":\"low\"}"));
        assertThat(a.get("id").asText()).startsWith("wal_");
        assertThat(a.get("thresholds")).extracting(JsonNode::asText).containsExactly("10", "50");
        created(t.post("/v1/alerts", "{\"customer\":\"acme\",\"metric\":\"usage\",\"meter\":\"tokens\","
                + "\"thresholds\":[\"1000\"]}"));
        List<String> listed = new ArrayList<>();
        ok(t.get("/v1/alerts")).get("alerts").forEach(x -> listed.add(x.get("metric").asText()));
        assertThat(listed).containsExactlyInAnyOrder("usage", "balance");
        assertThat(ok(t.get("/v1/alerts/" + a.get("id").asText())).get("name").asText()).isEqualTo("low");

        moveTo(clock, Instant.parse("2026-11-01T03:00:00Z"));
        tokens("e1", "2026-11-01T01:00:00Z", 6000);   // live 40.00: below 50, not below 10
        t.server.engine().evaluateAlerts();
        JsonNode balance = null;
        for (JsonNode x : ok(t.get("/v1/customers/acme/alerts")).get("alerts")) {
            if (x.get("metric").asText().equals("balance")) {
                balance = x;
            }
        }
        assertThat(balance).isNotNull();
        assertThat(balance.get("value").asText()).isEqualTo("40.00");
        assertThat(balance.get("state")).extracting(s -> s.get("threshold").asText() + " " + s.get("crossed").asBoolean()
                + " " + !s.get("fired_at").isNull()).containsExactly("10 false false", "50 true true");

        assertThat(t.post("/v1/alerts", "{\"customer\":\"acme\",\"metric\":\"balance\",\"thresholds\":[\"-1\"]}")
                .status()).isEqualTo(400);
        assertThat(t.post("/v1/alerts", "{\"customer\":\"nobody\",\"metric\":\"balance\",\"thresholds\":[\"1\"]}")
                .status()).isEqualTo(400);
        assertThat(t.send("DELETE", "/v1/alerts/" + a.get("id").asText(), null, null, TestServer.KEY).status()).isEqualTo(204);
        assertThat(t.get("/v1/alerts/" + a.get("id").asText()).status()).isEqualTo(404);
    }

    @Test
    void aFeatureRequiringABalanceIsDeniedAtZeroAndReportsTheBalance() {
        JsonNode req = ok(t.put("/v1/balance-requirements/api", "{\"mode\":\"grace\",\"grace_amount\":\"5.00\"}"));
        assertThat(req.get("mode").asText()).isEqualTo("grace");
        assertThat(ok(t.get("/v1/balance-requirements")).get("balance_requirements")).hasSize(1);
        assertThat(t.put("/v1/balance-requirements/api", "{\"mode\":\"hard\",\"grace_amount\":\"5.00\"}").status())
                .isEqualTo(400);
        assertThat(t.put("/v1/balance-requirements/api", "{\"mode\":\"sometimes\"}").status()).isEqualTo(400);

        moveTo(clock, Instant.parse("2026-11-01T03:00:00Z"));
        tokens("e1", "2026-11-01T01:00:00Z", 10400);  // 104.00: depleted, 4.00 short, inside the grace
        t.server.engine().evaluateAlerts();
        JsonNode api = ok(t.get("/v1/customers/acme/entitlements/api"));
        assertThat(api.get("allowed").asBoolean()).isTrue();
        assertThat(api.at("/balance/live_balance").asText()).isEqualTo("0.00");
        assertThat(api.at("/balance/shortfall").asText()).isEqualTo("4.00");

        tokens("e2", "2026-11-01T02:00:00Z", 100);    // 5.00 short: the grace is used up
        t.server.engine().evaluateAlerts();
        api = ok(t.get("/v1/customers/acme/entitlements/api"));
        assertThat(api.get("allowed").asBoolean()).isFalse();
        assertThat(api.get("reason").asText()).isEqualTo("balance_depleted");
        assertThat(api.at("/balance/allowed").asBoolean()).isFalse();

        assertThat(t.send("DELETE", "/v1/balance-requirements/api", null, null, TestServer.KEY).status()).isEqualTo(204);
        assertThat(ok(t.get("/v1/customers/acme/entitlements/api")).get("allowed").asBoolean()).isTrue();
        assertThat(t.get("/v1/balance-requirements/api").status()).isEqualTo(404);
    }

    @Test
    void anInAdvanceFeeAlreadyInvoicedAndPaidByCreditsIsNotCountedAgain() {
        created(t.post("/v1/customers", "{\"external_id\":\"globex\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        created(t.post("/v1/plans", "{\"key\":\"platform\",\"currency\":\"USD\",\"interval\":\"monthly\","
                + "\"tax_rates\":[{\"name\":\"Tax\",\"percent\":\"10\"}],\"charges\":["
                + "{\"key\":\"fee\",\"type\":\"flat\",\"name\":\"Fee\",\"amount\":\"10.00\",\"timing\":\"in_advance\"},"
                + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}]}"));
        ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
        created(t.post("/v1/customers/globex/grants", "{\"amount\":\"100.00\",\"reason\":\"Prepaid\"}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"globex\",\"plan\":\"platform\",\"start\":\"" + NOV_1 + "\"}"));
        BillingFixtures.run(t);
        moveTo(clock, Instant.parse("2026-11-02T00:00:00Z"));
        ingest(t, List.of(event("g1", "llm.tokens", "globex", Instant.parse("2026-11-01T12:00:00Z"), "{\"tokens\":1000}")));

        JsonNode w = ok(t.get("/v1/customers/globex/wallets")).get("wallets").get(0);
        // the fee's invoice (10.00 + 1.00 tax) drew 11.00 at the start; still to invoice: 10.00 of tokens + 1.00 tax
        assertThat(w.get("balance").asText()).isEqualTo("89.00");
        assertThat(w.get("live_balance").asText()).isEqualTo("78.00");
    }
}

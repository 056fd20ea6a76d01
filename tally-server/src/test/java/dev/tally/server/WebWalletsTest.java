package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A customer's wallet in a real headless Chromium, checked against the API: the dashboard's balance, live balance,
 * burn rate and runway, the balance over time (the chart's screen-reader data table, one row per day, rebuilt from
 * the ledger), the ledger table a page at a time, and the portal's live balance and runway for the token's customer.
 */
class WebWalletsTest {
    static MutableClock clock;
    static TestServer t;
    static WebBrowser b;

    @BeforeAll
    static void setUp() throws Exception {
        clock = new MutableClock(Instant.parse("2026-11-01T00:00:00Z"));
        t = new TestServer(clock);
        created(t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                + "\"value_path\":\"tokens\"}"));
        created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"name\":\"Acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        created(t.post("/v1/plans", "{\"key\":\"prepaid\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}]}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"prepaid\",\"start\":\"2026-11-01T00:00:00Z\"}"));
        String first = created(t.post("/v1/customers/acme/grants", "{\"amount\":\"100.00\",\"reason\":\"Prepaid\"}"))
                .get("id").asText();
        moveTo(clock, Instant.parse("2026-11-03T10:00:00Z"));
        created(t.post("/v1/customers/acme/grants", "{\"amount\":\"50.00\",\"reason\":\"Top-up\"}"));
        moveTo(clock, Instant.parse("2026-11-04T10:00:00Z"));
        created(t.post("/v1/customers/acme/grants/" + first + "/adjustments", "{\"amount\":\"-10.00\",\"reason\":\"fix\"}"));
        moveTo(clock, Instant.parse("2026-11-05T10:00:00Z"));
        for (int i = 0; i < 19; i++) {
            created(t.post("/v1/customers/acme/grants/" + first + "/adjustments", "{\"amount\":\"1.00\",\"reason\":\"goodwill\"}"));
        }
        moveTo(clock, Instant.parse("2026-11-06T00:00:00Z"));
        var r = t.events("application/cloudevents-batch+json", "[{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"app\","
                + "\"type\":\"llm.tokens\",\"subject\":\"acme\",\"time\":\"2026-11-05T12:00:00Z\",\"data\":{\"tokens\":2000}}]");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
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

    @SuppressWarnings("unchecked")
    static List<List<String>> chartRows() {
        return (List<List<String>>) b.js("return [...document.querySelectorAll('.wallet .chart-data tbody tr')]"
                + ".map(r => [...r.children].map(c => c.textContent.trim()));");
    }

    @Test
    void theDashboardShowsTheWalletChartAndLedgerAndThePortalTheRunwayAsTheApiComputesThem() {
        JsonNode w = ok(t.get("/v1/customers/acme/wallets")).get("wallets").get(0);
        // hand computed: 100 + 50 - 10 + 19 = 159.00; 20.00 of tokens over 5 days = 4.00 a day; 139 / 4 = 34.7 days
        assertThat(w.get("balance").asText()).isEqualTo("159.00");
        assertThat(w.get("live_balance").asText()).isEqualTo("139.00");
        assertThat(w.get("burn_rate_per_day").asText()).isEqualTo("4.00");
        assertThat(w.get("runway_days").asText()).isEqualTo("34.7");

        b.open("/");
        b.js("sessionStorage.setItem('tally.adminKey', arguments[0]);", TestServer.KEY);
        b.open("/#/customers/acme");
        b.waitFor(".wallet data.wallet-live-balance");
        assertThat(b.one(".wallet data.wallet-balance").getAttribute("value")).isEqualTo(w.get("balance").asText());
        assertThat(b.one(".wallet data.wallet-live-balance").getAttribute("value")).isEqualTo(w.get("live_balance").asText());
        assertThat(b.one(".wallet data.wallet-live-balance").getText()).isEqualTo("$139.00");
        assertThat(b.one(".wallet data.wallet-burn").getAttribute("value")).isEqualTo(w.get("burn_rate_per_day").asText());
        assertThat(b.one(".wallet .wallet-runway data").getAttribute("value")).isEqualTo(w.get("runway_days").asText());

        // the balance at the end of each day, from the ledger's entries
        b.waitUntil("the chart", () -> !chartRows().isEmpty());
        assertThat(chartRows()).extracting(row -> row.get(1)).containsExactly("$100.00", "$100.00", "$150.00",
                "$140.00", "$159.00", "$159.00");
        assertThat(b.one(".wallet svg.chart-svg").getAttribute("role")).isEqualTo("img");

        // the ledger: 22 entries, 20 a page, then the rest
        b.waitFor(".wallet .ledger-table");
        assertThat(b.all(".wallet .ledger-table tbody tr")).hasSize(20);
        b.one(".wallet .ledger-more").click();
        b.waitUntil("the second page", () -> b.all(".wallet .ledger-table tbody tr").size() == 22);
        List<String> amounts = new ArrayList<>();
        b.all(".wallet .ledger-table data.entry-amount").forEach(e -> amounts.add(e.getAttribute("value")));
        List<String> api = new ArrayList<>();
        ok(t.get("/v1/customers/acme/wallets/USD/entries?limit=100")).get("entries").forEach(e -> api.add(e.get("amount").asText()));
        assertThat(amounts).isEqualTo(api);
        assertThat(b.all(".ledger-more")).isEmpty();

        // the portal: the token's customer's live balance and how long it lasts
        String url = created(t.post("/v1/customers/acme/portal-tokens", "{\"ttl_seconds\":3600}")).get("url").asText();
        b.js("sessionStorage.clear();");
        b.open(url);
        b.waitFor(".wallet data.wallet-live-balance");
        assertThat(b.one(".wallet data.wallet-live-balance").getAttribute("value")).isEqualTo("139.00");
        assertThat(b.one(".wallet .wallet-runway data").getAttribute("value")).isEqualTo("34.7");
        assertThat(b.one(".wallet .wallet-runway").getText()).contains("34.7 days").contains("Dec 10");
        assertThat(b.problems()).isEmpty();
    }
}

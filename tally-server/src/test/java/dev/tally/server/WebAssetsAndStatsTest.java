package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pages and files of the dashboard and portal over plain HTTP (strict CSP, content types, nothing from
 * another origin, no inline script), and the small read APIs added for them: {@code GET /v1/stats} (per tenant)
 * and {@code GET /v1/subscriptions}.
 */
class WebAssetsAndStatsTest {
    static final List<String> FILES = List.of("admin.js", "analytics.js", "app.css", "api.js", "catalog.js", "chart.js",
            "customers.js", "dashboard.js", "dom.js", "format.js", "history.js", "invoices.js", "overview.js", "portal.js",
            "ui.js", "views.js", "wallets.js", "anomalies.js", "favicon.svg");
    MutableClock clock;
    TestServer t;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(Instant.parse("2026-11-20T12:00:00Z"));
        t = new TestServer(clock);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + t.server.port() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return t.client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePagesAndFilesAreServedWithAStrictPolicyAndTheirContentTypes() throws Exception {
        for (String page : List.of("/", "/portal")) {
            var r = get(page);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
            String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
            assertThat(csp).contains("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                    "frame-ancestors 'none'").doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:", "*");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            assertThat(r.headers().firstValue("Referrer-Policy")).contains("no-referrer");
            assertThat(r.body()).contains("<main id=\"main\"", "<script type=\"module\" src=\"/assets/")
                    .doesNotContain("style=\"", "onclick", "onload");
            assertNoInlineScriptAndNothingFromElsewhere(page, r.body());
        }
        for (String file : FILES) {
            var r = get("/assets/" + file);
            assertThat(r.statusCode()).as(file).isEqualTo(200);
            String type = r.headers().firstValue("Content-Type").orElse("");
            if (file.endsWith(".js")) {
                assertThat(type).as(file).isEqualTo("text/javascript; charset=utf-8");
            } else if (file.endsWith(".css")) {
                assertThat(type).isEqualTo("text/css; charset=utf-8");
            } else {
                assertThat(type).isEqualTo("image/svg+xml");
            }
            assertThat(r.headers().firstValue("Content-Security-Policy")).isPresent();
            assertNoInlineScriptAndNothingFromElsewhere(file, r.body());
            String etag = r.headers().firstValue("ETag").orElseThrow();
            assertThat(get("/assets/" + file, "If-None-Match", etag).statusCode()).isEqualTo(304);
        }
        for (String bad : List.of("/assets/nope.js", "/assets/..%2Fportal.html", "/assets/%2e%2e%2findex.html",
                "/assets/.hidden", "/portal/x", "/index.html")) {
            var r = get(bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(404);
            assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
        }
    }

    /** Every file on the classpath under web/ is listed above, so none escapes these checks. */
    @Test
    void everyShippedFileIsChecked() throws IOException {
        try (InputStream in = WebUi.class.getClassLoader().getResourceAsStream("web/assets/")) {
            if (in != null) { // a directory listing when the classes are a directory (Maven's test run)
                String listing = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(listing).contains("dashboard.js");
                for (String name : listing.split("\n")) {
                    if (!name.isBlank()) {
                        assertThat(FILES).as("web/assets/" + name + " is not checked by this test").contains(name.trim());
                    }
                }
            }
        }
    }

    static void assertNoInlineScriptAndNothingFromElsewhere(String what, String body) {
        Matcher urls = Pattern.compile("(?i)(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}").matcher(body);
        while (urls.find()) {
            assertThat(urls.group()).as(what + " names another origin").isEqualTo("http://www.w3.org");
        }
        assertThat(body).as(what).doesNotContain("@import", "innerHTML", "outerHTML", "insertAdjacentHTML",
                "document.write", "eval(", "new Function", "localStorage");
        Matcher scripts = Pattern.compile("(?is)<script([^>]*)>(.*?)</script>").matcher(body);
        while (scripts.find()) {
            assertThat(scripts.group(1)).as(what + ": scripts are files").contains("src=");
            assertThat(scripts.group(2).trim()).as(what + ": no inline script").isEmpty();
        }
    }

    static String event(String id, String subject) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"s\",\"type\":\"call\",\"subject\":\"" + subject + "\"}";
    }

    @Test
    void statsCountThisTenantsIngestAndRevenueOnly() {
        t.post("/v1/meters", "{\"key\":\"calls\",\"event_type\":\"call\",\"aggregation\":\"count\"}");
        t.post("/v1/customers", "{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}");
        t.post("/v1/plans", "{\"key\":\"p\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"10\",\"timing\":\"in_advance\"},"
                + "{\"key\":\"calls\",\"type\":\"usage\",\"name\":\"Calls\",\"meter\":\"calls\",\"price\":{\"model\":\"unit\",\"unit_price\":\"0.5\"}}]}");
        t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"p\"}");
        t.post("/v1/billing/runs", "");
        clock.advance(Duration.ofHours(2));
        t.post("/v1/billing/runs", "");
        t.events("application/json", "[" + event("a", "acme") + "," + event("b", "acme") + "," + event("a", "acme") + ","
                + "{\"specversion\":\"1.0\",\"id\":\"c\",\"source\":\"s\",\"type\":\"call\"},"
                + "{\"specversion\":\"1.0\",\"id\":\"d\",\"source\":\"s\",\"type\":\"other\",\"subject\":\"acme\"}]");

        // the revenue comes from the tenant's rollup, refreshed every second (here: by hand)
        JsonNode stale = t.get("/v1/stats").json();
        assertThat(stale.at("/revenue/pending_customers").asInt()).as(stale.toString()).isEqualTo(1);
        t.server.engine().evaluateAlerts();
        JsonNode s = t.get("/v1/stats").json();
        assertThat(s.at("/revenue/pending_customers").asInt()).isZero();
        assertThat(s.at("/revenue/as_of").asText()).isEqualTo(clock.instant().toString());
        assertThat(s.at("/revenue/invoices_as_of").asText()).isEqualTo(clock.instant().toString());
        assertThat(s.at("/events/accepted").asLong()).isEqualTo(3);
        assertThat(s.at("/events/duplicates").asLong()).isEqualTo(1);
        assertThat(s.at("/events/rejected").asLong()).isEqualTo(1);
        assertThat(s.at("/events/rejected_by_reason/0/reason").asText()).isEqualTo("missing_subject");
        assertThat(s.at("/events/stored").asLong()).isEqualTo(3);
        assertThat(s.at("/events/unmatched_types").toString()).isEqualTo("[{\"type\":\"other\",\"events\":1}]");
        assertThat(s.at("/rate/per_second_last_minute").asText()).isEqualTo("0.050"); // 3 events over the last minute
        assertThat(s.at("/rate/last_day/events")).hasSize(96);
        assertThat(s.at("/rate/last_day/events/95").asLong()).isEqualTo(3);
        JsonNode usd = s.at("/revenue/currencies/0");
        assertThat(usd.get("currency").asText()).isEqualTo("USD");
        JsonNode finalized = t.get("/v1/invoices?status=finalized").json().get("invoices");
        assertThat(finalized).hasSize(1);
        assertThat(usd.get("invoiced").asText()).as(s.toString()).isEqualTo(finalized.get(0).get("total").asText());
        assertThat(usd.get("invoices").asLong()).isEqualTo(1);
        assertThat(usd.get("estimated_open").asText()).isEqualTo(t.get("/v1/customers/acme/usage").json()
                .get("estimated_total").asText());
        assertThat(usd.get("open_periods").asLong()).isEqualTo(1);
        assertThat(usd.get("draft_invoices").asLong()).isZero();
        // and equal to the per-customer computation the rollup replaces
        java.time.Instant[] month = {java.time.Instant.parse(s.at("/revenue/period_start").asText()),
                java.time.Instant.parse(s.at("/revenue/period_end").asText())};
        var reference = dev.tally.engine.revenue.RevenueReference.of(t.server.engine().billing(), "default", month[0],
                month[1]).get(0);
        assertThat(usd.get("invoiced").asText()).isEqualTo(reference.invoiced().toPlainString());
        assertThat(usd.get("estimated_open").asText()).isEqualTo(reference.estimatedOpen().toPlainString());
        assertThat(s.at("/revenue/period_start").asText()).isEqualTo("2026-11-01T00:00:00Z");
        assertThat(t.get("/v1/stats?tz=Asia/Tokyo").json().at("/revenue/period_start").asText())
                .isEqualTo("2026-10-31T15:00:00Z");
        assertThat(t.get("/v1/stats?tz=Nowhere/Else").status()).isEqualTo(400);

        String other = t.post("/v1/tenants", "{\"id\":\"other\"}").json().get("admin_key").get("key").asText();
        JsonNode theirs = t.send("GET", "/v1/stats", null, null, other).json();
        assertThat(theirs.at("/events/accepted").asLong()).isZero();
        assertThat(theirs.at("/events/stored").asLong()).isZero();
        assertThat(theirs.at("/revenue/currencies")).isEmpty();
    }

    @Test
    void subscriptionsAreListedByCustomerAndPlan() {
        t.post("/v1/customers", "{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}");
        t.post("/v1/customers", "{\"external_id\":\"bolt\",\"timezone\":\"UTC\",\"currency\":\"USD\"}");
        for (String p : List.of("a", "b")) {
            t.post("/v1/plans", "{\"key\":\"" + p + "\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                    + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"10\",\"timing\":\"in_advance\"}]}");
        }
        String s1 = t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"a\"}").json().get("id").asText();
        String s2 = t.post("/v1/subscriptions", "{\"customer\":\"bolt\",\"plan\":\"b\"}").json().get("id").asText();
        assertThat(t.get("/v1/subscriptions").json().get("subscriptions").findValuesAsText("id")).containsExactly(s1, s2);
        assertThat(t.get("/v1/subscriptions?customer=bolt").json().get("subscriptions").findValuesAsText("id")).containsExactly(s2);
        assertThat(t.get("/v1/subscriptions?plan=a").json().get("subscriptions").findValuesAsText("id")).containsExactly(s1);
        assertThat(t.get("/v1/subscriptions?customer=nobody").json().get("subscriptions")).isEmpty();
    }

    @Test
    void aPortalTokenReadsAndWritesOnlyItsCustomersOwnAlerts() {
        t.post("/v1/meters", "{\"key\":\"calls\",\"event_type\":\"call\",\"aggregation\":\"count\"}");
        for (String c : List.of("acme", "bolt")) {
            t.post("/v1/customers", "{\"external_id\":\"" + c + "\",\"timezone\":\"UTC\",\"currency\":\"USD\"}");
        }
        t.post("/v1/plans", "{\"key\":\"p\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"calls\",\"type\":\"usage\",\"name\":\"Calls\",\"meter\":\"calls\",\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"}}]}");
        t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"p\"}");
        t.post("/v1/subscriptions", "{\"customer\":\"bolt\",\"plan\":\"p\"}");
        String planWide = t.post("/v1/alerts", "{\"plan\":\"p\",\"name\":\"internal\",\"metric\":\"usage\",\"meter\":\"calls\","
                + "\"thresholds\":[\"100\"]}").json().get("id").asText();
        String bolts = t.post("/v1/alerts", "{\"customer\":\"bolt\",\"name\":\"bolt budget\",\"metric\":\"spend\",\"budget\":\"9\","
                + "\"of\":\"budget\"}").json().get("id").asText();
        String token = t.post("/v1/customers/acme/portal-tokens", "{}").json().get("token").asText();

        var created = t.send("POST", "/v1/portal/alerts", "application/json", "{\"customer\":\"bolt\",\"name\":\"mine\","
                + "\"metric\":\"spend\",\"budget\":\"50\",\"of\":\"budget\",\"percent_thresholds\":[\"80\",\"100\"]}", token);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("customer").asText()).isEqualTo("acme");
        JsonNode mine = t.send("GET", "/v1/portal/alerts", null, null, token).json();
        assertThat(mine.get("customer").asText()).isEqualTo("acme");
        assertThat(mine.get("alerts").findValuesAsText("name")).containsExactly("mine");
        assertThat(t.get("/v1/customers/acme/alerts").json().get("alerts").findValuesAsText("name")).contains("internal", "mine");
        assertThat(t.send("POST", "/v1/portal/alerts", "application/json", "{\"plan\":\"p\",\"metric\":\"spend\","
                + "\"budget\":\"5\",\"of\":\"budget\"}", token).status()).isEqualTo(400);
        assertThat(t.send("DELETE", "/v1/portal/alerts/" + bolts, null, null, token).status()).isEqualTo(404);
        assertThat(t.send("DELETE", "/v1/portal/alerts/" + planWide, null, null, token).status()).isEqualTo(404);
        assertThat(t.send("DELETE", "/v1/portal/alerts/nope", null, null, token).status()).isEqualTo(404);
        assertThat(t.send("GET", "/v1/portal/alerts", null, null, TestServer.KEY).status()).isEqualTo(403);
        assertThat(t.send("DELETE", "/v1/portal/alerts/" + created.json().get("id").asText(), null, null, token).status())
                .isEqualTo(204);
        assertThat(t.get("/v1/alerts").json().get("alerts").findValuesAsText("name")).containsExactlyInAnyOrder("internal", "bolt budget");
    }
}

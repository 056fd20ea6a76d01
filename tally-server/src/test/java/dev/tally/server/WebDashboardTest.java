package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.NumberFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard and the portal in a real headless Chromium against a server with a month and a half of data
 * (set up through the API under a fake clock): what the pages show must be what the API says. The test run
 * also refreshes the screenshots under docs/screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebDashboardTest {
    static final Instant START = Instant.parse("2026-10-01T07:00:00Z"); // midnight in Los Angeles
    static final Instant HOOLI_START = Instant.parse("2026-11-10T08:00:00Z"); // Nov 10, midnight in Los Angeles
    static MutableClock clock;
    static TestServer t;
    static WebBrowser b;

    @BeforeAll
    static void setUp() throws Exception {
        clock = new MutableClock(START);
        t = new TestServer(clock);
        seed();
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

    static String event(String id, String type, String subject, Instant time, String data) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"app\",\"type\":\"" + type
                + "\",\"subject\":\"" + subject + "\",\"time\":\"" + time + "\",\"data\":" + data + "}";
    }

    static void ingest(List<String> events) {
        var r = t.events("application/cloudevents-batch+json", "[" + String.join(",", events) + "]");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    /** Two paying customers (USD in Los Angeles, EUR in Berlin) and one without a plan; October billed, November open. */
    static void seed() {
        created(t.post("/v1/meters", "{\"key\":\"tokens\",\"name\":\"Tokens\",\"event_type\":\"llm.tokens\","
                + "\"aggregation\":\"sum\",\"value_path\":\"tokens\",\"group_by\":[\"model\"]}"));
        created(t.post("/v1/meters", "{\"key\":\"requests\",\"event_type\":\"api.request\",\"aggregation\":\"count\"}"));
        created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"name\":\"Acme Corp\",\"timezone\":\"America/Los_Angeles\","
                + "\"currency\":\"USD\",\"email\":\"billing@acme.test\"}"));
        created(t.post("/v1/customers", "{\"external_id\":\"initech\",\"name\":\"Initech GmbH\",\"timezone\":\"Europe/Berlin\",\"currency\":\"EUR\"}"));
        created(t.post("/v1/customers", "{\"external_id\":\"globex\",\"name\":\"Globex\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        created(t.post("/v1/plans", "{\"key\":\"pro\",\"name\":\"Pro\",\"currency\":\"USD\",\"interval\":\"monthly\","
                + "\"tax_rates\":[{\"name\":\"Sales tax\",\"percent\":\"8.5\"}],\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Platform fee\",\"amount\":\"49.00\",\"timing\":\"in_advance\"},"
                + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\",\"included_quantity\":\"5000\","
                + "\"price\":{\"model\":\"graduated\",\"tiers\":[{\"up_to\":\"10000\",\"unit_price\":\"0.002\"},{\"up_to\":null,\"unit_price\":\"0.001\"}]}},"
                + "{\"key\":\"requests\",\"type\":\"usage\",\"name\":\"API requests\",\"meter\":\"requests\","
                + "\"price\":{\"model\":\"package\",\"package_size\":\"100\",\"package_price\":\"1.50\"}}],"
                + "\"features\":[{\"key\":\"sso\",\"type\":\"boolean\"},"
                + "{\"key\":\"token_quota\",\"type\":\"metered\",\"meter\":\"tokens\",\"limit\":\"20000\",\"mode\":\"soft\"}]}"));
        created(t.post("/v1/plans", "{\"key\":\"team\",\"name\":\"Team\",\"currency\":\"EUR\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Team seat fee\",\"amount\":\"19\",\"timing\":\"in_advance\"},"
                + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\",\"price\":{\"model\":\"unit\",\"unit_price\":\"0.0004\"}}]}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\"}"));
        created(t.post("/v1/alerts", "{\"customer\":\"acme\",\"name\":\"Monthly budget\",\"metric\":\"spend\","
                + "\"budget\":\"100\",\"of\":\"budget\",\"percent_thresholds\":[\"50\",\"80\",\"100\"]}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"initech\",\"plan\":\"team\"}"));
        ok(t.post("/v1/billing/runs", ""));

        moveTo(clock, Instant.parse("2026-10-31T18:00:00Z"));
        List<String> october = new ArrayList<>();
        for (int day = 0; day < 30; day++) {
            Instant at = START.plus(Duration.ofDays(day)).plus(Duration.ofHours(2 + day % 12)).plusSeconds(1800);
            october.add(event("oa" + day, "llm.tokens", "acme", at, "{\"tokens\":" + (300 + day * 37 % 400) + ",\"model\":\"big\"}"));
            october.add(event("ob" + day, "llm.tokens", "acme", at.plusSeconds(600), "{\"tokens\":" + (120 + day * 13 % 90) + ",\"model\":\"small\"}"));
            october.add(event("oi" + day, "llm.tokens", "initech", at, "{\"tokens\":" + (900 + day * 31) + ",\"model\":\"big\"}"));
            for (int r = 0; r < 3 + day % 4; r++) {
                october.add(event("or" + day + "_" + r, "api.request", "acme", at.plusSeconds(60L * r), "{}"));
            }
        }
        ingest(october);
        ok(t.post("/v1/billing/runs", ""));
        moveTo(clock, Instant.parse("2026-11-01T08:00:00Z"));
        ok(t.post("/v1/billing/runs", ""));
        moveTo(clock, Instant.parse("2026-11-01T10:30:00Z"));
        ok(t.post("/v1/billing/runs", ""));
        JsonNode paid = t.get("/v1/invoices?customer=acme&status=finalized").json().get("invoices");
        ok(t.post("/v1/invoices/" + paid.get(paid.size() - 1).get("id").asText() + "/mark-paid", ""));

        moveTo(clock, Instant.parse("2026-11-13T02:00:00Z"));
        Instant nov = Instant.parse("2026-11-01T08:00:00Z");
        List<String> november = new ArrayList<>();
        for (int day = 0; day < 12; day++) {
            for (int h = 0; h < 3; h++) {
                Instant at = nov.plus(Duration.ofDays(day)).plus(Duration.ofHours(1 + h * 5L + day % 4));
                november.add(event("na" + day + "_" + h, "llm.tokens", "acme", at,
                        "{\"tokens\":" + (150 + (day * 53 + h * 71) % 350) + ",\"model\":\"" + (h == 1 ? "small" : "big") + "\"}"));
                november.add(event("nr" + day + "_" + h, "api.request", "acme", at, "{}"));
            }
            november.add(event("ni" + day, "llm.tokens", "initech", nov.plus(Duration.ofDays(day)), "{\"tokens\":" + (700 + day * 45) + ",\"model\":\"big\"}"));
        }
        november.add(event("s1", "storage.gb", "acme", nov.plus(Duration.ofDays(3)), "{\"gb\":12}"));
        november.add(event("s2", "storage.gb", "initech", nov.plus(Duration.ofDays(4)), "{\"gb\":3}"));
        ingest(november);
        // one duplicate, one without a subject, one from the future: per-event outcomes for the overview
        // a customer that started on Nov 10 (21 of 30 days: the allowance is prorated), priced per unit, whose
        // opening invoice (the in-advance fee of this period) is still a draft
        created(t.post("/v1/customers", "{\"external_id\":\"hooli\",\"name\":\"Hooli\",\"timezone\":\"America/Los_Angeles\",\"currency\":\"USD\"}"));
        created(t.post("/v1/plans", "{\"key\":\"starter\",\"name\":\"Starter\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Starter fee\",\"amount\":\"10.00\",\"timing\":\"in_advance\"},"
                + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\",\"included_quantity\":\"1000\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.002\"}}]}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"hooli\",\"plan\":\"starter\",\"start\":\"" + HOOLI_START + "\"}"));
        List<String> hooli = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            hooli.add(event("h" + i, "llm.tokens", "hooli", HOOLI_START.plus(Duration.ofHours(3 + i * 7L)),
                    "{\"tokens\":" + (500 + i * 123) + ",\"model\":\"big\"}"));
        }
        // events of a subject that is no customer: stored, never billed
        hooli.add(event("g1", "llm.tokens", "ghost", nov.plus(Duration.ofDays(5)), "{\"tokens\":40,\"model\":\"big\"}"));
        hooli.add(event("g2", "llm.tokens", "ghost", nov.plus(Duration.ofDays(6)), "{\"tokens\":41,\"model\":\"big\"}"));
        ingest(hooli);
        ok(t.post("/v1/billing/runs", ""));
        ingest(List.of(event("na0_0", "llm.tokens", "acme", nov.plusSeconds(3600), "{\"tokens\":150,\"model\":\"big\"}"),
                event("bad1", "llm.tokens", "acme", nov, "{\"tokens\":1}").replace("\"subject\":\"acme\",", ""),
                event("bad2", "llm.tokens", "acme", clock.instant().plus(Duration.ofDays(1)), "{\"tokens\":1}")));
    }

    static String usd(String amount) {
        return money(amount, "USD");
    }

    static String money(String amount, String currency) {
        NumberFormat f = NumberFormat.getCurrencyInstance(Locale.US);
        f.setCurrency(Currency.getInstance(currency));
        return f.format(new BigDecimal(amount));
    }

    static void signIn() {
        b.open("/");
        b.js("sessionStorage.setItem('tally.adminKey', arguments[0]);", TestServer.KEY);
    }

    static void go(String hash) {
        if (b.driver.getCurrentUrl().startsWith(b.base + "/#") || b.driver.getCurrentUrl().equals(b.base + "/")) {
            b.js("location.hash = arguments[0];", hash);
        } else {
            b.open("/" + hash);
        }
    }

    static List<String> values(String css) {
        return b.all(css).stream().map(e -> e.getAttribute("value")).toList();
    }

    /** The browser's fetch of a same-origin path with a bearer token taken from sessionStorage. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> fetchInPage(String path, String storageKey, String accept) {
        return (Map<String, Object>) b.jsAsync("const done = arguments[arguments.length - 1];"
                + "fetch(arguments[0], {headers: {Authorization: 'Bearer ' + sessionStorage.getItem(arguments[1]), Accept: arguments[2]}})"
                + ".then(async r => { const buf = new Uint8Array(await r.arrayBuffer());"
                + "  done({status: r.status, type: r.headers.get('Content-Type'), head: String.fromCharCode(...buf.slice(0, 5))}); })"
                + ".catch(e => done({status: -1, type: String(e), head: ''}));", path, storageKey, accept);
    }

    @Test
    @Order(1)
    void anOperatorSignsInWithTheAdminKeyAndSeesTheOverview() {
        b.open("/");
        WebElement key = b.waitFor("input[name=key]");
        assertThat(b.one("label[for='" + key.getAttribute("id") + "']").getText()).isEqualTo("Admin API key");
        key.sendKeys("tly_wrong_key_000000000000");
        key.sendKeys(Keys.ENTER);
        b.waitUntil("the error for a wrong key", () -> b.text(".error").contains("not valid"));
        key.clear();
        key.sendKeys(TestServer.KEY, Keys.ENTER);
        b.waitFor(".stat.accepted dd");
        assertThat(b.js("return sessionStorage.getItem('tally.adminKey');")).isEqualTo(TestServer.KEY);
        assertThat(b.js("return localStorage.length + document.cookie.length;")).isEqualTo(0L);

        String zone = (String) b.js("return Intl.DateTimeFormat().resolvedOptions().timeZone;");
        JsonNode stats = ok(t.get("/v1/stats?tz=" + java.net.URLEncoder.encode(zone, java.nio.charset.StandardCharsets.UTF_8)));
        JsonNode ev = stats.get("events");
        assertThat(b.text(".stat.accepted dd")).isEqualTo(String.format(Locale.US, "%,d", ev.get("accepted").asLong()));
        assertThat(b.text(".stat.duplicates dd")).isEqualTo("1");
        assertThat(b.text(".stat.rejected dd")).isEqualTo("2");
        String main = b.text("main");
        assertThat(main).contains("missing_subject", "time_in_future", "storage.gb");
        assertThat(b.all("main figure.chart svg rect.bar")).isNotEmpty();
        JsonNode usd = null;
        for (JsonNode c : stats.get("revenue").get("currencies")) {
            if (c.get("currency").asText().equals("USD")) {
                usd = c;
            }
        }
        assertThat(usd).isNotNull();
        assertThat(values("data.estimated-open")).contains(usd.get("estimated_open").asText());
        assertThat(values("data.invoiced")).contains(usd.get("invoiced").asText());
        assertThat(new BigDecimal(usd.get("invoiced").asText())).isPositive();
        b.screenshot("overview", 1280);
    }

    @Test
    @Order(2)
    void aCustomersPageShowsTheUsageChartAndTheEstimateTheApiComputes() {
        signIn();
        go("#/customers");
        WebElement search = b.waitFor("input[type=search]");
        search.sendKeys("acm", Keys.ENTER);
        b.waitUntil("the search result", () -> b.all("table.data tbody tr").size() == 1 && b.text("main").contains("matching"));
        b.one("main table.data tbody a").click();
        b.waitFor("data.estimate-total");

        JsonNode usage = ok(t.get("/v1/customers/acme/usage"));
        JsonNode sub = usage.get("subscriptions").get(0);
        WebElement total = b.one("data.estimate-total");
        assertThat(total.getAttribute("value")).isEqualTo(sub.get("estimated_total").asText());
        assertThat(total.getText()).isEqualTo(usd(sub.get("estimated_total").asText()));
        List<String> amounts = new ArrayList<>();
        sub.get("charges").forEach(ch -> amounts.add(ch.get("amount").asText()));
        assertThat(values("data.charge-amount")).isEqualTo(amounts);
        assertThat(b.text(".estimate")).contains("Nov 1, 2026 – Nov 30, 2026"); // the period in Los Angeles

        b.waitFor(".chart-host figure.chart svg");
        int dailyBars = b.all(".chart-host svg rect.bar").size();
        assertThat(dailyBars).isEqualTo(12);
        JsonNode period = ok(t.get("/v1/meters/tokens/usage?customer=acme&from=" + sub.get("period_start").asText()
                + "&to=" + sub.get("period_end").asText()));
        assertThat(new BigDecimal(b.one("data.usage-total").getAttribute("value")))
                .isEqualByComparingTo(period.get("rows").get(0).get("value").asText());
        assertThat(b.one(".chart-host svg").getAttribute("aria-labelledby")).isNotBlank();

        new Select(b.one("select[name=window]")).selectByValue("hour");
        b.waitUntil("hourly bars", () -> b.all(".chart-host svg rect.bar").size() == 36);
        new Select(b.one("select[name=group_by]")).selectByValue("model");
        b.waitUntil("the split by model", () -> b.text(".chart-host ul.legend").contains("big")
                && b.text(".chart-host ul.legend").contains("small"));
        new Select(b.one("select[name=window]")).selectByValue("day");
        b.waitUntil("daily bars by model", () -> b.all(".chart-host svg rect.bar").size() == 24);

        JsonNode invoices = ok(t.get("/v1/invoices?customer=acme")).get("invoices");
        b.waitUntil("the invoices", () -> b.all("table.invoices tbody tr").size() == invoices.size());
        b.waitUntil("the events", () -> b.all("table.events tbody tr").size() == 25);
        // rejected events are not stored: the page lists the latest ones the server remembers for the customer
        // (here none: bad1 had no subject, and bad2 was refused by the envelope rules before its subject was read)
        b.waitUntil("the recently rejected events", () -> b.text(".events-rejected").contains("No rejected events"));
        new Select(b.one("select[name=type]")).selectByValue("storage.gb");
        b.one(".events-results").findElement(By.xpath("./preceding-sibling::form//button")).click();
        b.waitUntil("the filtered events", () -> b.all("table.events tbody tr").size() == 1
                && b.text("table.events").contains("storage.gb"));
        new Select(b.one("select[name=type]")).selectByValue("llm.tokens");
        b.js("arguments[0].value = '2026-11-12T00:00';", b.one("input[name=from]")); // midnight in Los Angeles
        b.one(".events-results").findElement(By.xpath("./preceding-sibling::form//button")).click();
        b.waitUntil("the events since Nov 12 in Los Angeles", () -> b.all("table.events tbody tr").size() == 3
                && b.text("table.events").contains("Nov 12, 2026, 4:00:00 AM"));

        b.screenshot("customer", 1280);

        b.driver.findElement(By.xpath("//button[text()='Create a portal link']")).click();
        WebElement portalUrl = b.waitFor("input.portal-url");
        assertThat(portalUrl.getAttribute("value")).startsWith(b.base + "/portal#token=tlyp_");
    }

    @Test
    @Order(3)
    void aPricePreviewShowsTheLinesAndAmountOfThePreviewApi() {
        signIn();
        go("#/plans/pro");
        b.waitFor("form.preview-form");
        new Select(b.one("select[name=source]")).selectByVisibleText("Example: graduated");
        WebElement qty = b.one("input[name=quantity]");
        qty.clear();
        qty.sendKeys("250");
        b.one("form.preview-form button[type=submit]").click();
        b.waitFor("data.preview-amount");
        JsonNode expected = ok(t.post("/v1/prices/preview", "{\"currency\":\"USD\",\"price\":{\"model\":\"graduated\",\"tiers\":["
                + "{\"up_to\":\"100\",\"unit_price\":\"1\",\"flat_fee\":\"0\"},{\"up_to\":null,\"unit_price\":\"0.5\",\"flat_fee\":\"10\"}]},"
                + "\"quantity\":\"250\"}"));
        assertThat(b.one("data.preview-amount").getAttribute("value")).isEqualTo(expected.get("amount").asText());
        assertThat(b.one("data.preview-amount").getText()).isEqualTo(usd(expected.get("amount").asText()));
        List<String> lineAmounts = new ArrayList<>();
        expected.get("lines").forEach(l -> lineAmounts.add(l.get("amount").asText()));
        assertThat(values("table.preview-lines data.line-amount")).isEqualTo(lineAmounts);

        new Select(b.one("select[name=source]")).selectByVisibleText("Charge: Tokens");
        qty.clear();
        qty.sendKeys("123456");
        String before = b.one("data.preview-amount").getAttribute("value");
        b.one("form.preview-form button[type=submit]").click();
        b.waitUntil("the second preview", () -> !b.all("data.preview-amount").isEmpty()
                && !before.equals(b.one("data.preview-amount").getAttribute("value")));
        JsonNode tokens = ok(t.post("/v1/prices/preview", "{\"currency\":\"USD\",\"price\":{\"model\":\"graduated\",\"tiers\":["
                + "{\"up_to\":\"10000\",\"unit_price\":\"0.002\"},{\"up_to\":null,\"unit_price\":\"0.001\"}]},\"quantity\":\"123456\"}"));
        assertThat(b.one("data.preview-amount").getAttribute("value")).isEqualTo(tokens.get("amount").asText());
        assertThat(b.all("table.preview-lines tbody tr")).hasSize(tokens.get("lines").size());
        b.screenshot("plans-preview", 1280);
    }

    @Test
    @Order(4)
    void anInvoiceShowsItsLinesTheEventsBehindALineAndDownloadsAsPdf() throws Exception {
        JsonNode closing = null;
        for (JsonNode i : ok(t.get("/v1/invoices?customer=acme")).get("invoices")) {
            for (JsonNode l : i.get("lines")) {
                if (l.get("kind").asText().equals("usage") && l.get("events").asLong() > 0 && !i.get("number").isNull()) {
                    closing = i;
                }
            }
        }
        assertThat(closing).as("a finalized invoice with usage").isNotNull();
        String number = closing.get("number").asText();
        signIn();
        go("#/customers/acme");
        b.waitFor("table.invoices");
        b.driver.findElement(By.linkText(number)).click();
        b.waitUntil("the invoice page", () -> b.text("h1").equals("Invoice " + number));
        assertThat(b.all("table.invoice-lines tbody tr.line")).hasSize(closing.get("lines").size());
        assertThat(b.one("table.invoice-lines data.total").getAttribute("value")).isEqualTo(closing.get("total").asText());

        JsonNode usageLine = null;
        int index = 0;
        for (int i = 0; i < closing.get("lines").size(); i++) {
            if (closing.get("lines").get(i).get("charge").asText().equals("tokens")) {
                usageLine = closing.get("lines").get(i);
                index = i;
            }
        }
        assertThat(usageLine).isNotNull();
        WebElement row = b.all("table.invoice-lines tbody tr.line").get(index);
        WebElement show = row.findElement(By.cssSelector("button.show-events"));
        assertThat(show.getAttribute("aria-expanded")).isEqualTo("false");
        show.click();
        long expectedEvents = Math.min(50, usageLine.get("events").asLong());
        b.waitUntil("the events behind the line", () -> b.all("tr.line-events table.events tbody tr").size() == expectedEvents);
        assertThat(show.getAttribute("aria-expanded")).isEqualTo("true");
        JsonNode apiEvents = ok(t.get("/v1/invoices/" + closing.get("id").asText() + "/lines/" + usageLine.get("id").asText()
                + "/events?limit=50")).get("events");
        assertThat(b.text("tr.line-events table.events tbody tr")).contains(apiEvents.get(0).get("id").asText());

        WebElement pdf = b.one("button.pdf-download");
        pdf.click();
        b.waitUntil("the PDF download", () -> b.text(".pdf-status").startsWith("Downloaded"));
        assertThat(b.one(".pdf-status").getAttribute("data-content-type")).startsWith("application/pdf");
        Path file = b.downloads.resolve(number + ".pdf");
        b.waitUntil("the downloaded file", () -> b.downloaded(file));
        byte[] head = Files.readAllBytes(file);
        assertThat(new String(head, 0, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
        Map<String, Object> fetched = fetchInPage(pdf.getAttribute("data-href"), "tally.adminKey", "application/pdf");
        assertThat(fetched.get("status")).isEqualTo(200L);
        assertThat((String) fetched.get("type")).startsWith("application/pdf");
        assertThat(fetched.get("head")).isEqualTo("%PDF-");
        b.screenshot("invoice", 1280);
    }

    @Test
    @Order(5)
    void thePortalShowsExactlyOneCustomerAndRefusesAnotherCustomersInvoice() throws Exception {
        JsonNode link = created(t.post("/v1/customers/acme/portal-tokens", "{\"ttl_seconds\":3600}"));
        String url = link.get("url").asText();
        assertThat(url).startsWith("/portal#token=tlyp_");
        b.open("/");
        b.js("sessionStorage.clear();");
        b.open(url);
        b.waitFor("data.estimate-total");
        assertThat(b.driver.getCurrentUrl()).as("the token leaves the address bar").doesNotContain("token");
        assertThat(b.js("return sessionStorage.getItem('tally.portalToken');")).isEqualTo(link.get("token").asText());

        JsonNode usage = ok(t.get("/v1/customers/acme/usage"));
        assertThat(b.one("data.estimate-total").getAttribute("value"))
                .isEqualTo(usage.get("subscriptions").get(0).get("estimated_total").asText());
        assertThat(b.text("#customer-name")).isEqualTo("Acme Corp");
        assertThat(b.text("h1")).contains("Acme Corp");
        b.waitUntil("the usage charts", () -> b.all(".meter-usage figure.chart").size() == 2);
        assertThat(b.all(".meter-usage svg line.threshold")).as("the included allowance").hasSize(1);
        assertThat(b.one(".meter-usage[data-meter=tokens] data.included").getAttribute("value")).isEqualTo("5000");

        JsonNode mine = ok(t.get("/v1/invoices?customer=acme")).get("invoices");
        JsonNode theirs = ok(t.get("/v1/invoices?customer=initech")).get("invoices");
        b.waitUntil("the invoices", () -> b.all("table.invoices tbody tr").size() == mine.size());
        String page = b.text("body");
        assertThat(page).doesNotContain("Initech", "initech", "EUR", "€");
        for (JsonNode i : theirs) {
            if (!i.get("number").isNull()) {
                assertThat(page).doesNotContain(i.get("number").asText());
            }
        }
        for (JsonNode i : mine) {
            if (!i.get("number").isNull()) {
                assertThat(page).contains(i.get("number").asText());
            }
        }
        Map<String, Object> other = fetchInPage("/v1/portal/invoices/" + theirs.get(0).get("id").asText(), "tally.portalToken",
                "application/json");
        assertThat(other.get("status")).as("another customer's invoice").isEqualTo(404L);
        Map<String, Object> own = fetchInPage("/v1/portal/invoices/" + mine.get(0).get("id").asText(), "tally.portalToken",
                "application/pdf");
        assertThat(own.get("status")).isEqualTo(200L);
        assertThat((String) own.get("type")).startsWith("application/pdf");
        assertThat(fetchInPage("/v1/customers/initech", "tally.portalToken", "application/json").get("status")).isEqualTo(403L);
        assertThat(fetchInPage("/v1/invoices?customer=initech", "tally.portalToken", "application/json").get("status")).isEqualTo(403L);

        // the customer's own alerts: the operator's budget alert, and one added here
        b.waitUntil("the alerts", () -> b.text("main").contains("Monthly budget"));
        WebElement budget = b.one("form.budget-form input[name=budget]");
        budget.sendKeys("150");
        b.one("form.budget-form button[type=submit]").click();
        b.waitUntil("the new budget alert", () -> b.text("main").contains("Budget 150 USD"));
        assertThat(t.get("/v1/customers/acme/alerts").body()).contains("Budget 150 USD");
        @SuppressWarnings("unchecked")
        Map<String, Object> sneaky = (Map<String, Object>) b.jsAsync("const done = arguments[arguments.length - 1];"
                + "fetch('/v1/portal/alerts', {method: 'POST', headers: {Authorization: 'Bearer ' + sessionStorage.getItem('tally.portalToken'),"
                + " 'Content-Type': 'application/json'}, body: JSON.stringify({customer: 'initech', name: 'x', metric: 'spend', budget: '5', of: 'budget'})})"
                + ".then(async r => done({status: r.status, body: await r.text()}));");
        assertThat(sneaky.get("status")).isEqualTo(201L);
        assertThat((String) sneaky.get("body")).contains("\"customer\":\"acme\"").doesNotContain("initech");
        assertThat(t.get("/v1/customers/initech/alerts").json().get("alerts")).isEmpty();
        String sneakyId = t.mapper.readTree((String) sneaky.get("body")).get("id").asText();
        assertThat(t.send("DELETE", "/v1/alerts/" + sneakyId, null, null, TestServer.KEY).status()).isEqualTo(204);
        b.driver.navigate().refresh();
        b.waitFor("button[aria-label='Remove alert Budget 150 USD']").click();
        b.waitUntil("the removed alert", () -> b.all("button[aria-label='Remove alert Budget 150 USD']").isEmpty()
                && b.text("main").contains("Monthly budget"));
        assertThat(t.get("/v1/customers/acme/alerts").body()).doesNotContain("Budget 150 USD");

        b.waitFor("table.invoices button.pdf-download");
        b.all("table.invoices button.pdf-download").get(0).click();
        b.waitUntil("the portal PDF", () -> b.text(".pdf-status").startsWith("Downloaded"));
        assertThat(b.one(".pdf-status").getAttribute("data-content-type")).startsWith("application/pdf");
        b.screenshot("portal", 1280);

        b.size(375, 812);
        b.driver.navigate().refresh();
        b.waitFor("data.estimate-total");
        b.waitUntil("the usage charts", () -> b.all(".meter-usage figure.chart").size() == 2);
        assertThat((Long) b.js("return document.documentElement.scrollWidth;")).as("no sideways scrolling at 375 px")
                .isLessThanOrEqualTo(375L);
        b.screenshot("portal-phone", 375, 2400);
    }

    @Test
    @Order(6)
    void everyPageWorksFromTheKeyboardAtPhoneWidthWithNothingLoadedFromElsewhere() {
        signIn();
        b.size(375, 812);
        go("#/customers/acme");
        b.waitFor("data.estimate-total");
        b.waitFor(".chart-host figure.chart");
        assertThat((Long) b.js("return document.documentElement.scrollWidth;")).isLessThanOrEqualTo(375L);
        b.screenshot("customer-phone", 375, 1800);
        b.size(1280, 900);

        // keyboard only: the skip link comes first, then the navigation
        b.open("/#/");
        b.driver.navigate().refresh();
        b.waitFor(".stat.accepted dd");
        new Actions(b.driver).sendKeys(Keys.TAB).perform();
        assertThat(b.js("return document.activeElement.textContent;")).isEqualTo("Skip to content");
        new Actions(b.driver).sendKeys(Keys.ENTER).perform();
        assertThat(b.js("return document.activeElement.id;")).isEqualTo("main");
        WebElement customersLink = b.one("nav a[data-section=customers]");
        b.js("arguments[0].focus();", customersLink);
        new Actions(b.driver).sendKeys(Keys.ENTER).perform();
        b.waitUntil("the customers page by keyboard", () -> b.text("h1").equals("Customers"));
        assertThat(b.js("return document.activeElement.tagName;")).isEqualTo("H1");

        // API keys: created once-shown, then revoked
        go("#/keys");
        WebElement name = b.waitFor("form input[name=name]");
        name.sendKeys("browser test");
        b.one("form.inline-form button[type=submit]").click();
        WebElement secret = b.waitFor("input.new-key");
        assertThat(secret.getAttribute("value")).matches("tly_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}");
        b.waitUntil("the new key in the list", () -> b.text("table.keys").contains("browser test"));
        WebElement revoke = b.driver.findElement(By.cssSelector("button[aria-label='Revoke key browser test']"));
        revoke.click();
        revoke.click();
        b.waitUntil("the revoked key", () -> b.all("button[aria-label='Revoke key browser test']").isEmpty());
        assertThat(t.get("/v1/api-keys").body()).contains("revoked_at\":\"");

        for (String section : List.of("overview", "customers", "invoices", "meters", "plans", "subscriptions", "keys")) {
            b.one("nav a[data-section=" + section + "]").click();
            b.waitUntil(section + " rendered", () -> b.all("main .loading").isEmpty()
                    && (!b.all("main table.data").isEmpty() || !b.all("main dl").isEmpty()));
            assertThat(b.all("main .error")).as(section + ": " + b.text("main")).isEmpty();
        }
        assertThat(b.text("main")).contains("browser test");
        go("#/subscriptions");
        b.waitUntil("subscriptions", () -> b.all("main table.data tbody tr").size() == 3);
        b.one("nav a[data-section=webhooks]").click();
        b.waitUntil("the webhook endpoints", () -> b.text("main").contains("No endpoints yet."));
        assertThat(b.all("main .error")).isEmpty();

        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) b.js("return performance.getEntriesByType('resource').map(e => e.name);");
        assertThat(resources).isNotEmpty().allMatch(u -> u.startsWith(b.base + "/"));
        List<String> problems = b.problems().stream()
                .filter(m -> !m.contains("Failed to load resource: the server responded with a status of")).toList();
        assertThat(problems).as("browser console: no CSP violation, no script error").isEmpty();
    }

    /**
     * Every rendered row of an estimate multiplies out: each line's quantity × unit price, rounded once to the
     * cent, is its amount; a charge priced per unit has billable × unit price = amount; and what is included plus
     * what is billable is what was used. Returns how many rows were checked per unit.
     */
    static int assertEstimateRowsMultiplyOut() {
        int perUnit = 0;
        for (WebElement row : b.all(".estimate-table tbody tr")) {
            BigDecimal amount = new BigDecimal(row.findElement(By.cssSelector("data.charge-amount")).getAttribute("value"));
            List<WebElement> unit = row.findElements(By.cssSelector("data.unit-price"));
            List<WebElement> billable = row.findElements(By.cssSelector("data.billable"));
            if (!unit.isEmpty()) {
                BigDecimal product = new BigDecimal(billable.get(0).getAttribute("value"))
                        .multiply(new BigDecimal(unit.get(0).getAttribute("value")));
                assertThat(product.setScale(2, java.math.RoundingMode.HALF_UP)).as(row.getText()).isEqualByComparingTo(amount);
                perUnit++;
            }
            List<WebElement> included = row.findElements(By.cssSelector("data.included"));
            if (!included.isEmpty()) {
                BigDecimal used = new BigDecimal(row.findElement(By.cssSelector("data.quantity")).getAttribute("value"));
                BigDecimal inc = new BigDecimal(included.get(0).getAttribute("value"));
                BigDecimal bill = new BigDecimal(billable.get(0).getAttribute("value"));
                assertThat(used.min(inc).add(bill)).as(row.getText()).isEqualByComparingTo(used);
            }
        }
        for (WebElement summary : b.all(".estimate-lines summary")) {
            summary.click();
        }
        List<WebElement> lines = b.all(".estimate-lines-table tbody tr");
        assertThat(lines).isNotEmpty();
        for (WebElement line : lines) {
            BigDecimal q = new BigDecimal(line.findElement(By.cssSelector("data.line-quantity")).getAttribute("value"));
            BigDecimal p = new BigDecimal(line.findElement(By.cssSelector("data.line-unit-price")).getAttribute("value"));
            BigDecimal a = new BigDecimal(line.findElement(By.cssSelector("data.line-amount")).getAttribute("value"));
            assertThat(q.multiply(p).setScale(2, java.math.RoundingMode.HALF_UP)).as(line.getText()).isEqualByComparingTo(a);
            assertThat(line.getText()).as("quantities are rounded for display").doesNotContainPattern("\\d\\.\\d{5,}");
        }
        return perUnit;
    }

    static JsonNode charge(JsonNode sub, String key) {
        for (JsonNode ch : sub.get("charges")) {
            if (ch.get("charge").asText().equals(key)) {
                return ch;
            }
        }
        throw new AssertionError("no charge " + key);
    }

    @Test
    @Order(7)
    void theEstimateShowsTheProratedAllowanceItsAmountIsComputedFromAndEveryRowMultipliesOut() {
        JsonNode sub = ok(t.get("/v1/customers/hooli/usage")).get("subscriptions").get(0);
        JsonNode tokens = charge(sub, "tokens");
        assertThat(new BigDecimal(tokens.get("included_quantity").asText())).as("21 of 30 days of 1000")
                .isEqualByComparingTo("700");
        assertThat(tokens.get("included_quantity_full").asText()).isEqualTo("1000");
        BigDecimal billable = new BigDecimal(tokens.get("billable_quantity").asText());
        assertThat(billable).isEqualByComparingTo(new BigDecimal(tokens.get("quantity").asText()).subtract(new BigDecimal("700")));
        assertThat(billable.multiply(new BigDecimal(tokens.get("unit_price").asText())).setScale(2, java.math.RoundingMode.HALF_UP))
                .isEqualByComparingTo(tokens.get("amount").asText());

        signIn();
        go("#/customers/hooli");
        b.waitFor("data.estimate-total");
        assertThat(assertEstimateRowsMultiplyOut()).as("the per-unit token charge").isEqualTo(1);
        String table = b.text(".estimate-table");
        assertThat(table).contains("700").contains("prorated; 1,000 for a whole period");
        assertThat(b.text(".estimate-includes")).contains("Starter fee", "already on invoice", "draft");
        assertThat(b.text(".estimate")).contains("Nov 10, 2026 – Nov 30, 2026", "America/Los_Angeles");
        b.screenshot("customer-estimate", 1280);

        go("#/customers/acme");
        b.waitFor("data.estimate-total");
        b.waitUntil("acme's estimate", () -> b.text(".estimate").contains("Nov 1, 2026 – Nov 30, 2026"));
        assertEstimateRowsMultiplyOut();
    }

    @Test
    @Order(8)
    void thePortalNeverListsTheCurrentPeriodsDraftAsPastAndSaysTheEstimateIncludesIt() {
        JsonNode invoices = ok(t.get("/v1/invoices?customer=hooli")).get("invoices");
        assertThat(invoices).hasSize(1);
        assertThat(invoices.get(0).get("status").asText()).isEqualTo("draft");
        assertThat(Instant.parse(invoices.get(0).get("period_end").asText())).isAfter(clock.instant());
        JsonNode link = created(t.post("/v1/customers/hooli/portal-tokens", "{\"ttl_seconds\":3600}"));
        b.open("/");
        b.js("sessionStorage.clear();");
        b.open(link.get("url").asText());
        b.waitFor("data.estimate-total");
        b.waitUntil("the invoices section", () -> !b.all(".current-invoices").isEmpty());
        assertThat(b.all("table.invoices tbody tr")).as("no past invoice yet").isEmpty();
        assertThat(b.text(".current-invoices")).contains("part of the estimate above");
        assertThat(b.text(".estimate-includes")).contains("Starter fee", "already on invoice");
        assertThat(assertEstimateRowsMultiplyOut()).isEqualTo(1);
        assertThat(b.text("body")).doesNotContain("Acme", "ghost");
    }

    @Test
    @Order(9)
    void theOverviewCountsEventsOfNoCustomerAndNamesItsWindowsMetersAndEventsReadRight() {
        signIn();
        go("#/");
        b.waitFor(".stat.unmatched-subjects dd");
        assertThat(b.text(".stat.unmatched-subjects dd")).isEqualTo("2");
        b.waitUntil("the unmatched subjects", () -> b.text("table.unmatched-subjects").contains("ghost"));
        assertThat(values("table.unmatched-subjects data.subject-events")).containsExactly("2");
        JsonNode rate = ok(t.get("/v1/stats")).get("rate");
        String label = b.text(".stat.rate-day dt");
        if (rate.get("last_day_window_seconds").asLong() < 86_400) {
            assertThat(label).contains("since the server started");
        } else {
            assertThat(label).isEqualTo("Events/s over the last day");
        }

        go("#/meters");
        b.waitUntil("the meters", () -> b.text("main table.data").contains("tokens"));
        assertThat(b.text("main")).doesNotContain("1970").contains("for all events, created");

        go("#/customers/acme");
        b.waitUntil("the events", () -> b.all("table.events tbody tr").size() == 25);
        List<Instant> times = b.all("table.events tbody time").stream().map(e -> Instant.parse(e.getAttribute("datetime"))).toList();
        assertThat(times).hasSize(25).isSorted();

        // the invoices list shows each invoice's period as its invoice page does: in the customer's zone
        go("#/invoices");
        b.waitUntil("the invoices", () -> !b.all("table.invoices tbody tr").isEmpty());
        WebElement first = null;
        for (WebElement row : b.all("table.invoices tbody tr")) {
            if (row.getText().contains("acme") && row.findElement(By.cssSelector(".zone")).getText().equals("America/Los_Angeles")) {
                first = row;
            }
        }
        assertThat(first).isNotNull();
        String period = first.findElement(By.cssSelector(".period")).getText();
        assertThat(period).doesNotContain("Nov 1, 2026 – Dec 1").doesNotEndWith("Nov 1, 2026");
        first.findElement(By.cssSelector("a")).click();
        b.waitUntil("the invoice page", () -> b.text("h1").startsWith("Invoice"));
        b.waitFor("dl .period");
        assertThat(b.text("dl .period")).isEqualTo(period);
        assertThat(b.text("main")).contains("America/Los_Angeles");
    }
}

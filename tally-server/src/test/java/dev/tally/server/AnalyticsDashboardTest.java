package dev.tally.server;

import static dev.tally.server.BillingFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The dashboard's analytics page, in a real headless Chromium, over the book of {@link AnalyticsBookTest}: the
 * numbers in its (screen-reader) tables are exactly the API's, and the charts are drawn.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnalyticsDashboardTest {
    final AnalyticsBookTest book = new AnalyticsBookTest();
    WebBrowser b;

    @BeforeAll
    void start() throws Exception {
        book.buildTheBook();
        b = new WebBrowser(book.t.server.port());
        b.open("/");
        WebElement key = b.waitFor("input[name=key]");
        key.sendKeys(TestServer.KEY, Keys.ENTER);
        b.waitFor(".stat.accepted dd");
        b.open("/#/analytics");
        b.waitUntil("the analytics page", () -> b.text("h1").equals("Analytics")
                && !b.all(".top-customers tbody tr").isEmpty() && !b.all(".mrr-table tbody tr").isEmpty()
                && !b.all(".meter-table tbody tr").isEmpty());
    }

    @AfterAll
    void stop() {
        try {
            if (b != null) {
                b.close();
            }
        } finally {
            book.stop();
        }
    }

    @SuppressWarnings("unchecked")
    List<String> rows(String table, String... cells) {
        StringBuilder js = new StringBuilder("return [...document.querySelectorAll('" + table + " tbody tr')].map(tr => [");
        for (String c : cells) {
            js.append(c.startsWith(".") ? "tr.querySelector('data" + c + "').value," : c + ",");
        }
        js.append("].join('|'));");
        return (List<String>) b.js(js.toString());
    }

    @Test
    void theMrrTableShowsTheApisMovementsForEveryMonth() {
        JsonNode api = ok(book.t.get("/v1/analytics/mrr"));
        List<String> expected = new ArrayList<>();
        for (JsonNode r : api.get("months")) {
            expected.add(String.join("|", r.get("month").asText(), r.get("mrr").asText(), r.get("arr").asText(),
                    r.get("new").asText(), r.get("expansion").asText(), r.get("reactivated").asText(),
                    r.get("contraction").asText(), r.get("churned").asText()));
        }
        List<String> shown = rows(".mrr-table", "tr.querySelector('[data-month]').dataset.month", ".mrr", ".arr",
                ".new", ".expansion", ".reactivated", ".contraction", ".churned");
        assertThat(shown).isEqualTo(expected);
        assertThat(shown).hasSizeGreaterThanOrEqualTo(6); // USD and EUR rows
        assertThat(b.all("figure.chart svg rect.bar")).isNotEmpty();
        assertThat(b.text("main")).contains("MRR movements").contains("Expansion").contains("Churned");
        // the headline figures per currency are the last month's MRR and ARR
        List<String> headline = new ArrayList<>();
        for (String cur : List.of("EUR", "USD")) {
            JsonNode last = null;
            for (JsonNode r : api.get("months")) {
                if (r.get("currency").asText().equals(cur)) {
                    last = r;
                }
            }
            headline.add(last.get("mrr").asText());
            headline.add(last.get("arr").asText());
        }
        assertThat((List<?>) b.js("return [...document.querySelectorAll('.mrr-now data')].map(d => d.value);"))
                .isEqualTo(headline);
        assertThat(b.problems()).as("browser console").isEmpty();
    }

    @Test
    void theMeterTableAndTopCustomersAreTheApis() {
        JsonNode meters = ok(book.t.get("/v1/analytics/revenue?group_by=meter"));
        List<String> expected = new ArrayList<>();
        for (JsonNode r : meters.get("months")) {
            if (!r.get("group").asText().equals("(none)")) {
                expected.add(r.get("usage").asText());
            }
        }
        assertThat(rows(".meter-table", ".usage")).isEqualTo(expected);
        JsonNode top = ok(book.t.get("/v1/analytics/customers/top"));
        List<String> expectedTop = new ArrayList<>();
        top.get("customers").forEach(c -> expectedTop.add(c.get("customer").asText() + "|" + c.get("usage").asText()));
        assertThat(rows(".top-customers", "tr.querySelector('a').textContent", ".usage")).isEqualTo(expectedTop);
    }
}

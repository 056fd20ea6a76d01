package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's anomalies page in a real headless Chromium, checked against the API: two duplicate storms are
 * listed with their kind, source and figures; acknowledging one and dismissing the other from the page reviews
 * them (the API agrees) and moves them to their status filters.
 */
class WebAnomaliesTest {
    static MutableClock clock;
    static TestServer t;
    static WebBrowser b;
    static int ids;

    @BeforeAll
    static void setUp() throws Exception {
        clock = new MutableClock(Instant.parse("2026-11-02T00:00:00Z"));
        t = new TestServer(clock);
        for (String source : List.of("web", "batch")) {
            for (int m = 0; m < 3; m++) {
                minute(source, 2);
            }
            minute(source, 400);
        }
        b = new WebBrowser(t.server.port());
    }

    static void minute(String source, int copies) {
        clock.advance(Duration.ofMinutes(1));
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            batch.add("{\"specversion\":\"1.0\",\"id\":\"e" + (ids++) + "\",\"source\":\"" + source
                    + "\",\"type\":\"call\",\"subject\":\"acme\",\"time\":\"" + clock.instant() + "\"}");
        }
        for (int i = 0; i < copies; i++) {
            batch.add(batch.get(i % 200));
        }
        assertThat(t.events("application/cloudevents-batch+json", "[" + String.join(",", batch) + "]").status())
                .isEqualTo(200);
        t.server.engine().anomalies().evaluate();
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

    @Test
    void theAnomaliesPageListsWhatTheApiHasAndReviewsThem() {
        JsonNode api = BillingFixtures.ok(t.get("/v1/anomalies")).get("anomalies");
        assertThat(api).hasSize(2);
        String batch = api.get(0).get("id").asText();
        String web = api.get(1).get("id").asText();

        b.open("/");
        b.js("sessionStorage.setItem('tally.adminKey', arguments[0]);", TestServer.KEY);
        b.open("/#/anomalies");
        b.waitFor(".anomalies-table");
        assertThat(b.all(".anomalies-table tbody tr")).hasSize(2);
        assertThat(b.one(".anomalies-table tbody tr .anomaly-row").getAttribute("data-id")).isEqualTo(batch);
        assertThat(b.one(".anomalies-table tbody tr .anomaly-kind").getText()).isEqualTo("Duplicate storm");
        assertThat(b.one(".anomalies-table tbody tr").getText()).contains("source batch");
        assertThat(b.one(".anomalies-table tbody tr .anomaly-observed data").getAttribute("value"))
                .isEqualTo(api.get(0).get("observed").asText());
        assertThat(b.text(".anomaly-policy-hold")).isEqualTo("none");

        b.one(".anomalies-table tbody tr .anomaly-acknowledge").click();
        b.waitUntil("one left open", () -> b.all(".anomalies-table tbody tr .anomaly-acknowledge").size() == 1);
        b.one(".anomalies-table tbody tr .anomaly-dismiss").click();
        b.waitUntil("none left open", () -> b.all(".anomalies-table").isEmpty()
                && b.all(".section-body .empty").size() > 0);
        assertThat(BillingFixtures.ok(t.get("/v1/anomalies/" + batch)).get("status").asText()).isEqualTo("acknowledged");
        assertThat(BillingFixtures.ok(t.get("/v1/anomalies/" + web)).get("status").asText()).isEqualTo("dismissed");

        b.open("/#/anomalies?status=acknowledged");
        b.waitFor(".anomalies-table");
        assertThat(b.all(".anomalies-table tbody tr")).hasSize(1);
        assertThat(b.one(".anomalies-table .anomaly-row").getAttribute("data-id")).isEqualTo(batch);
        assertThat(b.one(".anomalies-table .anomaly-status").getText()).isEqualToIgnoringCase("acknowledged");
        assertThat(b.problems()).isEmpty();
    }
}

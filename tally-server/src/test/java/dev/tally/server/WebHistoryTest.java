package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;

/**
 * The dashboard's History sections in a real browser: the customer, plan and invoice pages list exactly the audit
 * records the API has for that resource, newest first, with the action and the changed field.
 */
class WebHistoryTest {
    static TestServer t;
    static WebBrowser b;
    static String invoice;

    @BeforeAll
    static void setUp() throws Exception {
        t = new TestServer(new MutableClock(Instant.parse("2026-11-01T00:00:00Z")));
        t.post("/v1/customers", "{\"external_id\":\"acme\",\"name\":\"Acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}");
        t.send("PATCH", "/v1/customers/acme", "application/json", "{\"name\":\"Acme Inc\"}", TestServer.KEY);
        t.post("/v1/plans", "{\"key\":\"pro\",\"name\":\"Pro\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"10\",\"timing\":\"in_advance\"}]}");
        t.put("/v1/billing/settings", "{\"grace_period_seconds\":86400}");
        t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"start\":\"2026-11-01T00:00:00Z\"}");
        t.post("/v1/billing/runs", "");
        invoice = t.get("/v1/invoices?customer=acme").json().at("/invoices/0/id").asText();
        assertThat(t.post("/v1/invoices/" + invoice + "/finalize", "").status()).isEqualTo(200);
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

    static void show(String hash) {
        b.open("/");
        b.js("sessionStorage.setItem('tally.adminKey', arguments[0]);", TestServer.KEY);
        b.open("/" + hash);
        b.waitFor("table.history");
    }

    static List<String> actionsFromApi(String resource, String id) {
        List<String> out = new ArrayList<>();
        JsonNode records = t.get("/v1/audit?resource=" + resource + "&id=" + id).json().get("records");
        records.forEach(r -> out.add(0, r.get("action").asText()));
        return out;
    }

    static List<String> actionsShown() {
        return b.all("table.history tbody tr td:nth-child(3) code").stream().map(WebElement::getText).toList();
    }

    @Test
    void aCustomersPageListsItsChangesNewestFirst() {
        show("#/customers/acme");
        assertThat(actionsShown()).isEqualTo(actionsFromApi("customer", "acme"))
                .containsExactly("PATCH /v1/customers/{external_id}", "POST /v1/customers");
        assertThat(b.one("table.history tbody tr ul.patch").getText()).contains("replace /name: \"Acme Inc\"");
    }

    @Test
    void aPlansPageAndAnInvoicesPageListTheirHistory() {
        show("#/plans/pro");
        assertThat(actionsShown()).isEqualTo(actionsFromApi("plan", "pro")).containsExactly("POST /v1/plans");
        show("#/invoices/" + invoice);
        assertThat(actionsShown()).isEqualTo(actionsFromApi("invoice", invoice))
                .containsExactly("POST /v1/invoices/{id}/finalize");
        assertThat(b.one("table.history tbody tr ul.patch").getText()).contains("/status");
    }
}

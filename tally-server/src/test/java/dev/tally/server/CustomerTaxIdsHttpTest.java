package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A customer's {@code tax_ids} in-process: accepted by {@code POST /v1/customers} and {@code PATCH}, returned by
 * {@code GET}, validated with each bad field named, every change a version, and printed on the invoice.
 */
class CustomerTaxIdsHttpTest {
    static final Instant NOV_10 = Instant.parse("2026-11-10T20:00:00Z");
    MutableClock clock;
    TestServer t;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_10);
        t = new TestServer(clock);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    TestServer.Reply patch(String id, String body) {
        return t.send("PATCH", "/v1/customers/" + id, "application/json", body, TestServer.KEY);
    }

    static List<String> fields(TestServer.Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("type").asText()).endsWith("/validation");
        JsonNode v = r.json().get("errors") != null ? r.json().get("errors") : r.json().get("violations");
        return CustomerUpdatesHttpTest.fields(v);
    }

    @Test
    void createsPatchesAndReturnsTaxIdsWithAVersionPerChange() {
        JsonNode c = created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"currency\":\"EUR\","
                + "\"tax_ids\":[{\"type\":\"eu_vat\",\"value\":\"DE123456789\"},{\"type\":\"us_ein\",\"value\":\"12-3456789\"}]}"));
        assertThat(c.get("tax_ids").toString()).isEqualTo(
                "[{\"type\":\"eu_vat\",\"value\":\"DE123456789\"},{\"type\":\"us_ein\",\"value\":\"12-3456789\"}]");
        assertThat(ok(t.get("/v1/customers/acme")).get("tax_ids")).isEqualTo(c.get("tax_ids"));

        JsonNode patched = ok(patch("acme", "{\"tax_ids\":[{\"type\":\"gb_vat\",\"value\":\"GB123456789\"}]}"));
        assertThat(patched.get("tax_ids").toString()).isEqualTo("[{\"type\":\"gb_vat\",\"value\":\"GB123456789\"}]");
        assertThat(patched.get("version").asInt()).isEqualTo(2);
        assertThat(ok(t.get("/v1/customers/acme")).get("tax_ids")).isEqualTo(patched.get("tax_ids"));
        assertThat(ok(patch("acme", "{\"name\":\"Acme GmbH\"}")).get("tax_ids"))
                .as("a patch without tax_ids keeps them").isEqualTo(patched.get("tax_ids"));
        assertThat(ok(patch("acme", "{\"tax_ids\":[{\"type\":\"gb_vat\",\"value\":\"GB123456789\"}]}")).get("version")
                .asInt()).as("the same tax ids store nothing").isEqualTo(3);
        JsonNode cleared = ok(patch("acme", "{\"tax_ids\":null}"));
        assertThat(cleared.get("tax_ids")).isEmpty();

        JsonNode versions = ok(t.get("/v1/customers/acme/versions")).get("versions");
        assertThat(versions).hasSize(4);
        assertThat(versions.get(0).get("customer").get("tax_ids")).hasSize(2);
        assertThat(versions.get(1).get("fields").toString()).isEqualTo("[\"tax_ids\"]");
        assertThat(versions.get(1).get("customer").get("tax_ids").get(0).get("value").asText()).isEqualTo("GB123456789");
        assertThat(versions.get(2).get("fields").toString()).isEqualTo("[\"name\"]");
        assertThat(versions.get(3).get("fields").toString()).isEqualTo("[\"tax_ids\"]");
        assertThat(versions.get(3).get("customer").get("tax_ids")).isEmpty();
    }

    @Test
    void aCustomerWithoutTaxIdsHasAnEmptyList() {
        JsonNode c = created(t.post("/v1/customers", "{\"external_id\":\"plain\",\"currency\":\"USD\"}"));
        assertThat(c.get("tax_ids").isArray()).isTrue();
        assertThat(c.get("tax_ids")).isEmpty();
    }

    @Test
    void refusesUnknownTypesBadValuesAndTooManyNamingTheField() {
        assertThat(fields(t.post("/v1/customers", "{\"external_id\":\"bad\",\"currency\":\"USD\",\"tax_ids\":["
                + "{\"type\":\"xx_vat\",\"value\":\"1\"},{\"type\":\"eu_vat\",\"value\":\"\"},"
                + "{\"type\":\"eu_vat\",\"value\":\"" + "9".repeat(65) + "\"},{\"type\":\"eu_vat\",\"value\":\"DE\\n1\"},"
                + "{\"type\":\"eu_vat\",\"value\":\"DE1\",\"country\":\"DE\"}]}")))
                .containsExactlyInAnyOrder("tax_ids[0].type", "tax_ids[1].value", "tax_ids[2].value",
                        "tax_ids[3].value", "tax_ids[4].country");
        assertThat(fields(t.post("/v1/customers", "{\"external_id\":\"bad\",\"currency\":\"USD\",\"tax_ids\":["
                + "{\"value\":\"DE1\"},\"DE1\",{\"type\":\"eu_vat\",\"value\":7}]}")))
                .contains("tax_ids[0].type", "tax_ids[1]", "tax_ids[2].value");
        String six = "{\"type\":\"other\",\"value\":\"A1\"},".repeat(6);
        assertThat(fields(t.post("/v1/customers", "{\"external_id\":\"bad\",\"currency\":\"USD\",\"tax_ids\":["
                + six.substring(0, six.length() - 1) + "]}"))).containsExactly("tax_ids");
        assertThat(fields(t.post("/v1/customers", "{\"external_id\":\"bad\",\"currency\":\"USD\",\"tax_ids\":"
                + "{\"type\":\"eu_vat\",\"value\":\"DE1\"}}"))).containsExactly("tax_ids");
        assertThat(t.get("/v1/customers/bad").status()).isEqualTo(404);

        created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"currency\":\"USD\","
                + "\"tax_ids\":[{\"type\":\"us_ein\",\"value\":\"12-3456789\"}]}"));
        assertThat(fields(patch("acme", "{\"tax_ids\":[{\"type\":\"vat\",\"value\":\"DE1\"}]}")))
                .containsExactly("tax_ids[0].type");
        assertThat(fields(patch("acme", "{\"tax_ids\":[{\"type\":\"eu_vat\",\"value\":\"   \"}]}")))
                .containsExactly("tax_ids[0].value");
        assertThat(ok(t.get("/v1/customers/acme")).get("tax_ids").get(0).get("value").asText()).isEqualTo("12-3456789");
        assertThat(ok(t.get("/v1/customers/acme/versions")).get("versions")).as("nothing stored").hasSize(1);
    }

    @Test
    void theInvoiceShowsTheCustomersVatId() throws Exception {
        created(t.post("/v1/plans", "{\"key\":\"pro\",\"name\":\"Pro\",\"currency\":\"EUR\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Platform fee\",\"amount\":\"30.00\",\"timing\":\"in_advance\"}]}"));
        created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"name\":\"Acme GmbH\",\"currency\":\"EUR\","
                + "\"tax_ids\":[{\"type\":\"eu_vat\",\"value\":\"DE123456789\"}]}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\"}"));
        ok(t.post("/v1/billing/runs", ""));
        String id = ok(t.get("/v1/invoices?customer=acme")).get("invoices").get(0).get("id").asText();
        HttpResponse<String> html = t.client.send(HttpRequest.newBuilder(t.uri("/v1/invoices/" + id))
                .header("Authorization", "Bearer " + TestServer.KEY).header("Accept", "text/html").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.body()).contains("VAT ID: DE123456789");
    }
}

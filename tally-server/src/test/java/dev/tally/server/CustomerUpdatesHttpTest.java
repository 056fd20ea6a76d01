package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
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
 * {@code PATCH /v1/customers/{id}}, {@code DELETE /v1/customers/{id}} (archive) and
 * {@code GET /v1/customers/{id}/versions} in-process: validation, the currency and time zone rules, the conflict
 * with an open subscription, and a version per change.
 */
class CustomerUpdatesHttpTest {
    static final Instant NOV_10 = Instant.parse("2026-11-10T20:00:00Z");
    MutableClock clock;
    TestServer t;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_10);
        t = new TestServer(clock);
        created(t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\",\"value_path\":\"tokens\"}"));
        created(t.post("/v1/plans", "{\"key\":\"pro\",\"name\":\"Pro\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Platform fee\",\"amount\":\"30.00\",\"timing\":\"in_advance\"}]}"));
        created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"name\":\"Acme\",\"timezone\":\"America/Los_Angeles\",\"currency\":\"USD\"}"));
    }

    @AfterEach
    void stop() {
        t.close();
    }

    TestServer.Reply patch(String id, String body) {
        return t.send("PATCH", "/v1/customers/" + id, "application/json", body, TestServer.KEY);
    }

    TestServer.Reply delete(String id) {
        return t.send("DELETE", "/v1/customers/" + id, null, null, TestServer.KEY);
    }

    static List<String> fields(JsonNode violations) {
        List<String> out = new ArrayList<>();
        violations.forEach(v -> out.add(v.get("field").asText()));
        return out;
    }

    @Test
    void updatesOnlyTheFieldsGivenAndKeepsEveryVersion() {
        JsonNode c = ok(patch("acme", "{\"name\":\"Acme Corp\",\"email\":\"billing@acme.test\","
                + "\"billing_address\":{\"line1\":\"1 Main St\",\"city\":\"Springfield\",\"country\":\"US\"},"
                + "\"tax_rates\":[{\"name\":\"VAT\",\"percent\":\"20\"}]}"));
        assertThat(c.get("name").asText()).isEqualTo("Acme Corp");
        assertThat(c.get("email").asText()).isEqualTo("billing@acme.test");
        assertThat(c.get("billing_address").get("city").asText()).isEqualTo("Springfield");
        assertThat(c.get("tax_rates").get(0).get("percent").asText()).isEqualTo("20");
        assertThat(c.get("timezone").asText()).isEqualTo("America/Los_Angeles");
        assertThat(c.get("version").asInt()).isEqualTo(2);
        assertThat(c.get("updated_at").asText()).isEqualTo(NOV_10.toString());

        JsonNode prefs = ok(patch("acme", "{\"net_terms_days\":30,\"language\":\"de\"}"));
        assertThat(prefs.get("net_terms_days").asInt()).isEqualTo(30);
        assertThat(prefs.get("language").asText()).isEqualTo("de");
        assertThat(prefs.get("name").asText()).isEqualTo("Acme Corp");
        JsonNode zoneKept = ok(patch("acme", "{\"timezone\":\"Europe/Berlin\"}"));
        assertThat(zoneKept.get("net_terms_days").asInt()).as("a zone change keeps every other field").isEqualTo(30);
        assertThat(zoneKept.get("language").asText()).isEqualTo("de");
        ok(patch("acme", "{\"timezone\":\"America/Los_Angeles\",\"net_terms_days\":null,\"language\":null}"));
        JsonNode cleared = ok(patch("acme", "{\"email\":null}"));
        assertThat(cleared.get("email").isNull()).isTrue();
        assertThat(cleared.get("name").asText()).isEqualTo("Acme Corp");
        assertThat(ok(patch("acme", "{\"name\":\"Acme Corp\"}")).get("version").asInt())
                .as("a change to the same value stores nothing").isEqualTo(6);
        assertThat(ok(t.get("/v1/customers/acme")).get("email").isNull()).isTrue();

        JsonNode versions = ok(t.get("/v1/customers/acme/versions")).get("versions");
        assertThat(versions).hasSize(6);
        assertThat(versions.get(0).get("change").asText()).isEqualTo("created");
        assertThat(versions.get(0).get("customer").get("name").asText()).isEqualTo("Acme");
        assertThat(versions.get(1).get("change").asText()).isEqualTo("updated");
        assertThat(versions.get(1).get("fields").toString()).contains("name", "email", "billing_address", "tax_rates")
                .doesNotContain("timezone");
        assertThat(versions.get(2).get("fields").toString()).contains("net_terms_days", "language");
        assertThat(versions.get(3).get("fields").toString()).isEqualTo("[\"timezone\"]");
        assertThat(versions.get(5).get("fields").toString()).isEqualTo("[\"email\"]");
        assertThat(versions.get(5).get("customer").get("email").isNull()).isTrue();
    }

    @Test
    void refusesInvalidFieldsWithEveryProblemNamed() {
        TestServer.Reply r = patch("acme", "{\"email\":\"not-an-email\",\"timezone\":\"Mars/Olympus\","
                + "\"billing_address\":{\"country\":\"usa\"},\"colour\":\"red\",\"name\":null}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("type").asText()).endsWith("/validation");
        assertThat(fields(r.json().get("errors") != null ? r.json().get("errors") : r.json().get("violations")))
                .contains("name");
        TestServer.Reply bad = patch("acme", "{\"email\":\"not-an-email\",\"timezone\":\"Mars/Olympus\","
                + "\"billing_address\":{\"country\":\"usa\"},\"colour\":\"red\"}");
        assertThat(bad.status()).isEqualTo(400);
        JsonNode v = bad.json().get("errors") != null ? bad.json().get("errors") : bad.json().get("violations");
        assertThat(fields(v)).contains("email", "timezone", "billing_address.country", "colour");
        assertThat(patch("acme", "{\"external_id\":\"other\"}").status()).isEqualTo(400);
        assertThat(patch("acme", "[1]").status()).isEqualTo(400);
        assertThat(patch("acme", "{").json().get("type").asText()).endsWith("/malformed-body");
        assertThat(patch("nobody", "{\"name\":\"x\"}").status()).isEqualTo(404);
        assertThat(ok(t.get("/v1/customers/acme/versions")).get("versions")).as("nothing stored").hasSize(1);
    }

    @Test
    void theCurrencyChangesOnlyBeforeTheFirstInvoice() {
        created(t.post("/v1/customers", "{\"external_id\":\"euro\",\"currency\":\"USD\"}"));
        assertThat(ok(patch("euro", "{\"currency\":\"EUR\"}")).get("currency").asText()).isEqualTo("EUR");

        created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\"}"));
        TestServer.Reply plan = patch("acme", "{\"currency\":\"EUR\"}");
        assertThat(plan.status()).as("the open subscription's plan is in USD").isEqualTo(409);
        assertThat(plan.json().get("type").asText()).endsWith("/customer-currency-locked");
        ok(t.post("/v1/billing/runs", ""));
        assertThat(ok(t.get("/v1/invoices?customer=acme")).get("invoices")).hasSize(1);
        TestServer.Reply invoiced = patch("acme", "{\"currency\":\"EUR\"}");
        assertThat(invoiced.status()).isEqualTo(409);
        assertThat(invoiced.json().get("type").asText()).endsWith("/customer-currency-locked");
        assertThat(invoiced.json().get("detail").asText()).contains("invoiced in USD");
        assertThat(ok(t.get("/v1/customers/acme")).get("currency").asText()).isEqualTo("USD");
    }

    @Test
    void aTimeZoneChangeWaitsForTheNextPeriodWhenASubscriptionIsOpen() {
        created(t.post("/v1/customers", "{\"external_id\":\"idle\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        JsonNode idle = ok(patch("idle", "{\"timezone\":\"Europe/Berlin\"}"));
        assertThat(idle.get("timezone").asText()).as("no open subscription: at once").isEqualTo("Europe/Berlin");
        assertThat(idle.get("pending_timezone").isNull()).isTrue();

        JsonNode sub = created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\"}"));
        JsonNode usage = ok(t.get("/v1/customers/acme/usage"));
        String periodEnd = usage.get("subscriptions").get(0).get("period_end").asText();
        assertThat(periodEnd).isEqualTo("2026-12-01T08:00:00Z"); // midnight in Los Angeles

        JsonNode c = ok(patch("acme", "{\"timezone\":\"Europe/Berlin\"}"));
        assertThat(c.get("timezone").asText()).as("in force until the period ends").isEqualTo("America/Los_Angeles");
        assertThat(c.get("pending_timezone").get("timezone").asText()).isEqualTo("Europe/Berlin");
        assertThat(c.get("pending_timezone").get("effective_at").asText()).isEqualTo(periodEnd);
        assertThat(ok(t.get("/v1/customers/acme/usage")).get("subscriptions").get(0).get("period_end").asText())
                .as("the current period does not move").isEqualTo(periodEnd);
        JsonNode versions = ok(t.get("/v1/customers/acme/versions")).get("versions");
        assertThat(versions.get(versions.size() - 1).get("fields").toString()).isEqualTo("[\"timezone\"]");
        assertThat(versions.get(versions.size() - 1).get("customer").get("pending_timezone").get("timezone").asText())
                .isEqualTo("Europe/Berlin");

        moveTo(clock, Instant.parse("2026-12-01T08:00:00Z"));
        JsonNode after = ok(t.get("/v1/customers/acme"));
        assertThat(after.get("timezone").asText()).isEqualTo("Europe/Berlin");
        assertThat(after.get("pending_timezone").isNull()).isTrue();
        // the running subscription keeps the calendar it started with: its periods never shift
        JsonNode next = ok(t.get("/v1/customers/acme/usage")).get("subscriptions").get(0);
        assertThat(next.get("period_start").asText()).isEqualTo(periodEnd);
        assertThat(next.get("period_end").asText()).isEqualTo("2027-01-01T08:00:00Z");
        assertThat(next.get("timezone").asText()).isEqualTo("America/Los_Angeles");
        ok(t.post("/v1/billing/runs", ""));
        JsonNode invoices = ok(t.get("/v1/invoices?customer=acme")).get("invoices");
        for (JsonNode i : invoices) {
            assertThat(i.get("period_end").asText()).isIn(periodEnd, "2027-01-01T08:00:00Z");
        }
        // a subscription started after the change is billed in the new zone
        ok(t.post("/v1/subscriptions/" + sub.get("id").asText() + "/cancel", "{\"at\":\"2026-12-01T09:00:00Z\"}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"start\":\"2026-12-02T00:00:00Z\"}"));
        moveTo(clock, Instant.parse("2026-12-02T01:00:00Z"));
        JsonNode fresh = ok(t.get("/v1/customers/acme/usage")).get("subscriptions");
        JsonNode last = fresh.get(fresh.size() - 1);
        assertThat(last.get("timezone").asText()).isEqualTo("Europe/Berlin");
        assertThat(last.get("period_end").asText()).isEqualTo("2026-12-31T23:00:00Z"); // midnight in Berlin
    }

    @Test
    void asksForTheZoneInForceAgainToCancelAPendingChange() {
        created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\"}"));
        assertThat(ok(patch("acme", "{\"timezone\":\"Europe/Berlin\"}")).get("pending_timezone").isNull()).isFalse();
        JsonNode back = ok(patch("acme", "{\"timezone\":\"America/Los_Angeles\"}"));
        assertThat(back.get("pending_timezone").isNull()).isTrue();
        moveTo(clock, Instant.parse("2026-12-01T09:00:00Z"));
        assertThat(ok(t.get("/v1/customers/acme")).get("timezone").asText()).isEqualTo("America/Los_Angeles");
    }

    @Test
    void archivingConflictsWithAnOpenSubscriptionThenHidesTheCustomerFromTheList() {
        JsonNode sub = created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\"}"));
        TestServer.Reply open = delete("acme");
        assertThat(open.status()).isEqualTo(409);
        assertThat(open.json().get("type").asText()).endsWith("/customer-has-open-subscription");
        assertThat(open.json().get("detail").asText()).contains(sub.get("id").asText());

        ok(t.post("/v1/subscriptions/" + sub.get("id").asText() + "/cancel", "{\"at\":\"2026-11-11T00:00:00Z\"}"));
        assertThat(delete("acme").status()).as("still open until it ends").isEqualTo(409);
        moveTo(clock, Instant.parse("2026-11-11T00:00:00Z"));
        JsonNode archived = ok(delete("acme"));
        assertThat(archived.get("archived_at").asText()).isEqualTo("2026-11-11T00:00:00Z");

        assertThat(ok(t.get("/v1/customers")).get("customers")).isEmpty();
        assertThat(ok(t.get("/v1/customers?archived=true")).get("customers").get(0).get("external_id").asText())
                .isEqualTo("acme");
        assertThat(ok(t.get("/v1/customers/acme")).get("archived_at").asText()).isEqualTo("2026-11-11T00:00:00Z");
        assertThat(patch("acme", "{\"name\":\"x\"}").json().get("type").asText()).endsWith("/customer-archived");
        assertThat(delete("acme").status()).isEqualTo(409);
        TestServer.Reply subscribe = t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\"}");
        assertThat(subscribe.status()).isEqualTo(409);
        assertThat(t.post("/v1/customers", "{\"external_id\":\"acme\",\"currency\":\"USD\"}").status())
                .as("the external id is not reused").isEqualTo(409);
        JsonNode versions = ok(t.get("/v1/customers/acme/versions")).get("versions");
        assertThat(versions.get(versions.size() - 1).get("change").asText()).isEqualTo("archived");
        assertThat(delete("nobody").status()).isEqualTo(404);
    }

    @Test
    void aCustomersUsageFollowsItsTimeZoneUnlessAZoneIsGiven() {
        JsonNode own = ok(t.get("/v1/meters/tokens/usage?customer=acme&window=day"));
        assertThat(own.get("tz").asText()).isEqualTo("America/Los_Angeles");
        assertThat(own.get("from").asText()).isEqualTo("2026-11-01T07:00:00Z"); // Nov 1 in Los Angeles (PDT)
        JsonNode utc = ok(t.get("/v1/meters/tokens/usage?customer=acme&tz=UTC"));
        assertThat(utc.get("from").asText()).isEqualTo("2026-11-01T00:00:00Z");
        assertThat(ok(t.get("/v1/meters/tokens/usage?customer=acme&timezone=Asia/Tokyo")).get("tz").asText())
                .isEqualTo("Asia/Tokyo");
        assertThat(ok(t.get("/v1/meters/tokens/usage?customer=nobody")).get("tz").asText()).isEqualTo("Z");
        assertThat(ok(t.get("/v1/meters/tokens/usage")).get("tz").asText()).isEqualTo("Z");
        assertThat(t.get("/v1/meters/tokens/usage?customer=acme&tz=Mars/Base").status()).isEqualTo(400);
    }

    @Test
    void readKeysCannotChangeCustomers() {
        JsonNode key = created(t.post("/v1/api-keys", "{\"name\":\"reader\",\"scopes\":[\"read\"]}"));
        String secret = key.get("key") != null ? key.get("key").asText() : key.get("secret").asText();
        assertThat(t.send("PATCH", "/v1/customers/acme", "application/json", "{\"name\":\"x\"}", secret).status()).isEqualTo(403);
        assertThat(t.send("DELETE", "/v1/customers/acme", null, null, secret).status()).isEqualTo(403);
        assertThat(t.send("GET", "/v1/customers/acme/versions", null, null, secret).status()).isEqualTo(200);
    }
}

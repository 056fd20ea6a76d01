package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.BillingFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.engine.Engine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dunning over HTTP on port 0: the policy, the overdue filter, the retry button, an invoice's dunning history, and
 * entitlement answers during a hard suspension and after the payment that lifts it.
 */
class DunningHttpTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");

    MutableClock clock;
    TestServer t;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_1);
        t = new TestServer(clock);
        ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
        created(t.post("/v1/plans", "{\"key\":\"pro\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base fee\",\"amount\":\"100.00\",\"timing\":\"in_advance\"}],"
                + "\"features\":[{\"key\":\"sso\",\"type\":\"boolean\"}]}"));
        for (String c : List.of("acme", "globex")) {
            created(t.post("/v1/customers", "{\"external_id\":\"" + c + "\",\"timezone\":\"UTC\",\"currency\":\"USD\","
                    + "\"net_terms_days\":10}"));
            created(t.post("/v1/subscriptions", "{\"customer\":\"" + c + "\",\"plan\":\"pro\",\"start\":\"" + NOV_1 + "\"}"));
        }
        assertThat(run(t).get("finalized").asInt()).isEqualTo(2);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    String invoiceOf(String customer) {
        return ok(t.get("/v1/invoices?customer=" + customer)).get("invoices").get(0).get("id").asText();
    }

    List<String> ids(String query) {
        List<String> out = new ArrayList<>();
        ok(t.get("/v1/invoices?" + query)).get("invoices").forEach(i -> out.add(i.get("id").asText()));
        return out;
    }

    int dunningRun() {
        return t.server.engine().dunning().run(Engine.DEFAULT_TENANT);
    }

    @Test
    void thePolicyIsOffUntilSetAndAnInvalidOneIsRefusedNamingTheField() {
        JsonNode fresh = ok(t.get("/v1/dunning-policy"));
        assertThat(fresh.get("enabled").asBoolean()).isFalse();
        assertThat(fresh.get("retry_days").toString()).isEqualTo("[1,3,5,7]");

        TestServer.Reply bad = t.put("/v1/dunning-policy", "{\"retry_days\":[3,1]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").get(0).get("field").asText()).isEqualTo("retry_days");
        assertThat(t.put("/v1/dunning-policy", "{\"suspension\":\"grace\"}").status()).as("grace needs days").isEqualTo(400);
        assertThat(t.put("/v1/dunning-policy", "{\"bogus\":1}").status()).isEqualTo(400);

        JsonNode set = ok(t.put("/v1/dunning-policy", "{\"retry_days\":[2,4],\"uncollectible_after_days\":6,"
                + "\"suspension\":\"hard\"}"));
        assertThat(set.get("enabled").asBoolean()).isTrue();
        assertThat(ok(t.get("/v1/dunning-policy"))).isEqualTo(set);
    }

    @Test
    void overdueInvoicesAreListedByTheFilterAndTheRetryButtonRetriesThem() {
        String acme = invoiceOf("acme");
        String globex = invoiceOf("globex");
        assertThat(ok(t.get("/v1/invoices/" + acme)).get("due_date").asText()).isEqualTo("2026-11-11");
        created(t.post("/v1/invoices/" + acme + "/payments",
                "{\"outcome\":\"failed\",\"amount\":\"100.00\",\"reference\":\"card-1\"}"));
        assertThat(ids("payment_status=failed&overdue=true")).as("not due yet").isEmpty();

        moveTo(clock, Instant.parse("2026-11-11T23:59:59Z"));
        assertThat(ids("overdue=true")).as("not overdue on its due day").isEmpty();
        moveTo(clock, Instant.parse("2026-11-12T00:00:00Z"));
        assertThat(ids("payment_status=failed&overdue=true")).containsExactly(acme);
        assertThat(ids("overdue=true")).containsExactlyInAnyOrder(acme, globex);
        assertThat(ids("overdue=false")).isEmpty();
        assertThat(ids("overdue=true&status=draft")).isEmpty();
        assertThat(ok(t.get("/v1/invoices/" + acme)).get("overdue").asBoolean()).isTrue();
        assertThat(t.get("/v1/invoices?overdue=yes").status()).isEqualTo(400);

        JsonNode retry = created(t.post("/v1/invoices/" + acme + "/payments/retry", ""));
        assertThat(retry.get("step").asText()).isEqualTo("manual_retry:1");
        assertThat(retry.get("detail").get("outcome").asText()).isEqualTo("not_collected");
        assertThat(retry.get("invoice_payment").get("payment_status").asText()).isEqualTo("failed");

        created(t.post("/v1/invoices/" + globex + "/payments",
                "{\"outcome\":\"succeeded\",\"amount\":\"100.00\",\"reference\":\"wire-1\"}"));
        TestServer.Reply paid = t.post("/v1/invoices/" + globex + "/payments/retry", "");
        assertThat(paid.status()).isEqualTo(409);
        assertThat(paid.json().get("type").asText()).endsWith("invoice-not-retryable");
        assertThat(ids("overdue=true")).containsExactly(acme);
        assertThat(t.post("/v1/invoices/inv_nope/payments/retry", "").status()).isEqualTo(404);
    }

    @Test
    void aHardSuspensionDeniesEntitlementsUntilThePaymentLiftsIt() {
        ok(t.put("/v1/dunning-policy", "{\"retry_days\":[1],\"reminder_days_before_due\":[],"
                + "\"uncollectible_after_days\":2,\"suspension\":\"hard\"}"));
        String acme = invoiceOf("acme");
        created(t.post("/v1/invoices/" + acme + "/payments",
                "{\"outcome\":\"failed\",\"amount\":\"100.00\",\"reference\":\"card-1\"}"));
        assertThat(dunningRun()).as("the failure reminder").isEqualTo(1);
        moveTo(clock, Instant.parse("2026-11-02T00:00:00Z"));
        assertThat(dunningRun()).as("retry 1").isEqualTo(1);
        JsonNode before = ok(t.get("/v1/invoices/" + acme + "/dunning"));
        assertThat(before.get("upcoming").get(0).get("step").asText()).isEqualTo("uncollectible");
        assertThat(before.get("customer_suspension").isNull()).isTrue();

        moveTo(clock, Instant.parse("2026-11-03T00:00:00Z"));
        assertThat(dunningRun()).isEqualTo(1);
        JsonNode sso = ok(t.get("/v1/customers/acme/entitlements/sso"));
        assertThat(sso.get("allowed").asBoolean()).isFalse();
        assertThat(sso.get("reason").asText()).isEqualTo("customer_suspended");
        assertThat(sso.get("suspension").get("mode").asText()).isEqualTo("hard");
        assertThat(ok(t.get("/v1/customers/globex/entitlements/sso")).get("allowed").asBoolean()).isTrue();
        JsonNode inv = ok(t.get("/v1/invoices/" + acme));
        assertThat(inv.get("uncollectible_at").asText()).isEqualTo("2026-11-03T00:00:00Z");
        JsonNode dunning = ok(t.get("/v1/invoices/" + acme + "/dunning"));
        List<String> steps = new ArrayList<>();
        dunning.get("steps").forEach(s -> steps.add(s.get("kind").asText()));
        assertThat(steps).containsExactly("failure_reminder", "retry", "uncollectible");
        assertThat(dunning.get("customer_suspension").get("invoices").get(0).asText()).isEqualTo(acme);

        moveTo(clock, Instant.parse("2026-11-03T09:00:00Z"));
        created(t.post("/v1/invoices/" + acme + "/payments",
                "{\"outcome\":\"succeeded\",\"amount\":\"100.00\",\"reference\":\"wire-1\"}"));
        JsonNode back = ok(t.get("/v1/customers/acme/entitlements/sso"));
        assertThat(back.get("allowed").asBoolean()).isTrue();
        assertThat(back.get("suspension").isNull()).isTrue();
        assertThat(ok(t.get("/v1/invoices/" + acme + "/dunning")).get("steps").get(3).get("kind").asText())
                .isEqualTo("suspension_lifted");
    }

    @Test
    void thePortalsInvoiceJsonSaysWhatIsDueAndPaid() {
        String acme = invoiceOf("acme");
        created(t.post("/v1/invoices/" + acme + "/payments",
                "{\"outcome\":\"succeeded\",\"amount\":\"25.00\",\"reference\":\"wire-1\"}"));
        moveTo(clock, Instant.parse("2026-11-20T00:00:00Z"));
        String token = created(t.post("/v1/customers/acme/portal-tokens", "{\"ttl_seconds\":3600}")).get("token").asText();
        JsonNode list = t.send("GET", "/v1/portal/invoices", null, null, token).json().get("invoices");
        assertThat(list).hasSize(1);
        JsonNode mine = t.send("GET", "/v1/portal/invoices/" + acme, null, null, token).json();
        for (JsonNode inv : List.of(list.get(0), mine)) {
            assertThat(inv.get("amount_due").asText()).isEqualTo("100.00");
            assertThat(inv.get("amount_paid").asText()).isEqualTo("25.00");
            assertThat(inv.get("amount_remaining").asText()).isEqualTo("75.00");
            assertThat(inv.get("payment_status").asText()).isEqualTo("pending");
            assertThat(inv.get("overdue").asBoolean()).isTrue();
            assertThat(inv.get("due_date").asText()).isEqualTo("2026-11-11");
        }
    }
}

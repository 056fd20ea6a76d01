package dev.tally.server;

import static dev.tally.server.BillingFixtures.assertInvoice;
import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.event;
import static dev.tally.server.BillingFixtures.flat;
import static dev.tally.server.BillingFixtures.ingest;
import static dev.tally.server.BillingFixtures.invoiceFor;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.BillingFixtures.proPlanSubscription;
import static dev.tally.server.BillingFixtures.run;
import static dev.tally.server.BillingFixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Commitments over HTTP (server on port 0) across three invoices with a fake clock: a prepaid commitment of 200.00
 * for January and February at 1.5 × list price beyond it, and a minimum of 150.00 a month, on a plan with a
 * 20.00 platform fee in arrears, tokens at 0.01 and 10 % tax, UTC, grace 0. The order on an invoice: charges, the
 * minimum's true-up, the commitment's drawdown (before tax), tax, then credits.
 */
class CommitmentsHttpTest {
    static final Instant JAN_1 = Instant.parse("2027-01-01T00:00:00Z");
    static final Instant FEB_1 = Instant.parse("2027-02-01T00:00:00Z");
    static final Instant MAR_1 = Instant.parse("2027-03-01T00:00:00Z");

    MutableClock clock;
    TestServer t;
    String sub;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(JAN_1);
        t = new TestServer(clock);
        sub = proPlanSubscription(t, JAN_1);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    String path() {
        return "/v1/subscriptions/" + sub + "/commitments";
    }

    void tokens(String id, String time, int n) {
        ingest(t, List.of(event(id, "llm.tokens", "acme", Instant.parse(time), "{\"tokens\":" + n + "}")));
    }

    static BillingFixtures.Line line(String kind, String charge, String quantity, String amount, String description) {
        return new BillingFixtures.Line(kind, charge, quantity, amount, description);
    }

    @Test
    void aPrepaidCommitmentAndAMinimumPriceThreeInvoicesAsComputedByHand() throws Exception {
        JsonNode prepaid = created(t.post(path(), "{\"type\":\"prepaid\",\"name\":\"Q1 commit\",\"amount\":\"200.00\","
                + "\"ends_at\":\"" + MAR_1 + "\",\"overage_rate\":\"1.5\",\"at_term_end\":\"credit\"}"));
        String cm = prepaid.get("id").asText();
        assertThat(prepaid.get("starts_at").asText()).isEqualTo(JAN_1.toString());
        assertThat(prepaid.get("balance").asText()).isEqualTo("200.00");
        assertThat(prepaid.get("state").asText()).isEqualTo("active");
        assertThat(prepaid.get("invoicing").asText()).isEqualTo("up_front");
        String min = created(t.post(path(), "{\"type\":\"minimum\",\"name\":\"Monthly minimum\",\"amount\":\"150.00\"}"))
                .get("id").asText();
        run(t);
        // Jan 1: the commitment invoiced up front (the plan bills nothing in advance): 200.00 + 20.00 tax
        assertInvoice(invoiceFor(t, "acme", JAN_1), "200.00", "20.00", "220.00",
                line("commitment_fee", cm, "1", "200.00", "Q1 commit: prepaid commitment"));

        moveTo(clock, Instant.parse("2027-01-20T00:00:00Z"));
        tokens("e1", "2027-01-19T00:00:00Z", 5000);
        moveTo(clock, FEB_1);
        run(t);
        // January: 20.00 + 50.00 = 70.00 < 150.00: true-up 80.00; the commitment pays all 150.00 before tax
        JsonNode feb = invoiceFor(t, "acme", FEB_1);
        assertInvoice(feb, "0.00", "0.00", "0.00",
                flat("platform", "20.00", null),
                usage("tokens", "5000", "50.00", null),
                line("commitment_true_up", min, "1", "80.00", "Monthly minimum: minimum 150.00, charges 70.00"),
                line("commitment_drawdown", cm, "1", "-150.00", "Q1 commit: paid from the prepaid commitment (50.00 of 200.00 left)"));

        // a promotional credit, granted now, pays after tax
        created(t.post("/v1/customers/acme/grants", "{\"amount\":\"10.00\",\"reason\":\"Promo\"}"));
        moveTo(clock, Instant.parse("2027-02-20T00:00:00Z"));
        tokens("e2", "2027-02-19T00:00:00Z", 30000);
        moveTo(clock, MAR_1);
        run(t);
        // February: 20.00 + 300.00 = 320.00 >= 150.00: no true-up. 50.00 left pays 50.00; 270.00 beyond it at
        // 1.5 x list: overage 270.00 x 0.5 = 135.00. Subtotal 320 - 50 + 135 = 405.00, tax 40.50, total 445.50;
        // the promo pays 10.00: 435.50 due
        JsonNode mar = invoiceFor(t, "acme", MAR_1);
        assertInvoice(mar, "405.00", "40.50", "445.50",
                flat("platform", "20.00", null),
                usage("tokens", "30000", "300.00", null),
                line("commitment_drawdown", cm, "1", "-50.00", "(0.00 of 200.00 left)"),
                line("commitment_overage", cm, "270.00", "135.00", "overage at 1.5 × list price on 270.00"));
        assertThat(mar.get("credits").get("credits_applied").asText()).isEqualTo("10.00");
        assertThat(mar.get("amount_due").asText()).isEqualTo("435.50");

        JsonNode got = ok(t.get(path() + "/" + cm));
        assertThat(got.get("balance").asText()).isEqualTo("0.00");
        assertThat(got.get("drawn").asText()).isEqualTo("200.00");
        assertThat(got.get("state").asText()).isEqualTo("ended");
        List<String> entries = new ArrayList<>();
        got.get("entries").forEach(e -> entries.add(e.get("kind").asText() + " " + e.get("amount").asText()));
        assertThat(entries).containsExactly("grant 200.00", "drawdown -150.00", "drawdown -50.00");
        assertThat(got.get("entries").get(1).get("invoice").asText()).isEqualTo(feb.get("id").asText());

        JsonNode list = ok(t.get(path()));
        assertThat(list.get("commitments")).hasSize(2);
        JsonNode minimums = ok(t.get(path() + "?type=minimum"));
        assertThat(minimums.get("commitments")).hasSize(1);
        assertThat(minimums.get("commitments").get(0).get("id").asText()).isEqualTo(min);
        assertThat(minimums.get("commitments").get(0).has("balance")).isFalse();

        // the invoice people read shows the commitment's lines by name
        java.net.http.HttpResponse<String> html = t.client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://localhost:" + t.server.port() + "/v1/invoices/" + mar.get("id").asText()))
                .header("Authorization", "Bearer " + TestServer.KEY).header("Accept", "text/html").GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(html.statusCode()).isEqualTo(200);
        assertThat(html.body()).contains("Q1 commit: paid from the prepaid commitment").contains("445.50");

        JsonNode rec = ok(t.get("/v1/reconciliation"));
        assertThat(rec.get("ledger").get("differences")).as(rec.toString()).isEmpty();
    }

    @Test
    void refusesBadCommitmentsNamingTheFieldAndOverlapsAsConflicts() {
        assertThat(t.post(path(), "{\"type\":\"prepaid\",\"amount\":\"0.00\",\"ends_at\":\"" + MAR_1 + "\"}").body())
                .contains("amount");
        assertThat(t.post(path(), "{\"type\":\"prepaid\",\"amount\":\"100.00\"}").body()).contains("ends_at");
        assertThat(t.post(path(), "{\"type\":\"prepaid\",\"amount\":\"100.00\"}").status()).isEqualTo(400);
        assertThat(t.post(path(), "{\"type\":\"minimum\",\"amount\":\"100.001\"}").status()).isEqualTo(400);
        assertThat(t.post(path(), "{\"type\":\"minimum\",\"amount\":\"1\",\"colour\":\"red\"}").body()).contains("colour");
        assertThat(t.post(path(), "{\"type\":\"minimum\",\"amount\":\"1\",\"overage_rate\":\"2\"}").status()).isEqualTo(400);
        assertThat(t.post(path(), "{\"type\":\"minimum\",\"amount\":\"1\",\"starts_at\":\"2027-01-15T00:00:00Z\"}").body())
                .contains("starts_at");
        assertThat(t.post(path(), "{\"type\":\"bonus\",\"amount\":\"1\"}").status()).isEqualTo(400);
        assertThat(t.post(path(), "{\"type\":\"prepaid\",\"amount\":\"100.00\",\"ends_at\":\"" + MAR_1
                + "\",\"invoicing\":\"installments\"}").status()).isEqualTo(400);
        created(t.post(path(), "{\"type\":\"minimum\",\"amount\":\"100.00\",\"ends_at\":\"" + MAR_1 + "\"}"));
        // a later minimum supersedes from its start; two from the same start conflict
        created(t.post(path(), "{\"type\":\"minimum\",\"amount\":\"80.00\",\"starts_at\":\"" + FEB_1 + "\"}"));
        TestServer.Reply overlap = t.post(path(), "{\"type\":\"minimum\",\"amount\":\"50.00\",\"starts_at\":\""
                + FEB_1 + "\"}");
        assertThat(overlap.status()).isEqualTo(409);
        assertThat(overlap.body()).contains("commitment-overlap");
        created(t.post(path(), "{\"type\":\"minimum\",\"amount\":\"50.00\",\"starts_at\":\"" + MAR_1 + "\"}"));
        created(t.post(path(), "{\"type\":\"prepaid\",\"amount\":\"10.00\",\"ends_at\":\"" + MAR_1 + "\"}"));
        assertThat(t.post(path(), "{\"type\":\"prepaid\",\"amount\":\"10.00\",\"starts_at\":\"" + FEB_1
                + "\",\"ends_at\":\"2027-04-01T00:00:00Z\"}").status()).as("prepaid terms never overlap").isEqualTo(409);
        assertThat(t.get(path() + "/cm_nope").status()).isEqualTo(404);
        assertThat(t.get("/v1/subscriptions/sub_nope/commitments").status()).isEqualTo(404);
        assertThat(t.get(path() + "?type=bonus").status()).isEqualTo(400);
        assertThat(t.get(path() + "?colour=red").status()).isEqualTo(400);
    }
}

package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.invoiceFor;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.BillingFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Seats over HTTP on port 0: a plan with a licensed charge, quantity changes recorded and listed, refusals as
 * problem+json, and the invoice closing the period with one line per change. UTC, grace period 0, 10 a seat in
 * advance; November has 30 days.
 */
class SeatsHttpTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant DEC_1 = Instant.parse("2026-12-01T00:00:00Z");

    MutableClock clock;
    TestServer t;
    String sub;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_1);
        t = new TestServer(clock);
        created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        JsonNode plan = created(t.post("/v1/plans", "{\"key\":\"team\",\"currency\":\"USD\",\"interval\":\"monthly\","
                + "\"charges\":[{\"key\":\"seats\",\"type\":\"licensed\",\"name\":\"Seats\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"10\"},\"increase\":\"immediate\",\"decrease\":\"credit\"}]}"));
        assertThat(plan.at("/charges/0/quantity/source").asText()).isEqualTo("api");
        assertThat(plan.at("/charges/0/timing").asText()).isEqualTo("in_advance");
        ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
        sub = created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"team\",\"start\":\"" + NOV_1 + "\"}"))
                .get("id").asText();
    }

    @AfterEach
    void stop() {
        t.close();
    }

    TestServer.Reply quantity(String body) {
        return t.post("/v1/subscriptions/" + sub + "/quantities", body);
    }

    @Test
    void recordsListsAndBillsQuantityChanges() {
        JsonNode first = created(quantity("{\"charge\":\"seats\",\"quantity\":\"5\",\"effective_at\":\"" + NOV_1 + "\"}"));
        assertThat(first.get("id").asText()).startsWith("qch_");
        assertThat(first.get("sequence").asLong()).isEqualTo(1);
        run(t);
        moveTo(clock, Instant.parse("2026-11-10T12:00:00Z"));
        created(quantity("{\"charge\":\"seats\",\"quantity\":8}"));

        JsonNode history = ok(t.get("/v1/subscriptions/" + sub + "/quantities?charge=seats"));
        List<String> listed = new ArrayList<>();
        history.get("quantities").forEach(q -> listed.add(q.get("quantity").asText() + "@" + q.get("effective_at").asText()));
        assertThat(listed).containsExactly("5@2026-11-01T00:00:00Z", "8@2026-11-10T12:00:00Z");
        assertThat(history.at("/current/seats").asText()).isEqualTo("8");
        assertThat(ok(t.get("/v1/subscriptions/" + sub + "/quantities?charge=other")).get("quantities")).isEmpty();

        moveTo(clock, DEC_1);
        run(t);
        JsonNode opening = invoiceFor(t, "acme", NOV_1);
        assertThat(opening.at("/lines/0/kind").asText()).isEqualTo("licensed");
        assertThat(opening.at("/lines/0/amount").asText()).isEqualTo("50.00");
        JsonNode nov = invoiceFor(t, "acme", DEC_1);
        // 5 → 8 on Nov 10, 21 of 30 days: (80 − 50) × 21/30 = 21.00; December in advance 8 × 10 = 80.00
        assertThat(nov.at("/lines/0/kind").asText()).isEqualTo("licensed_change");
        assertThat(nov.at("/lines/0/amount").asText()).isEqualTo("21.00");
        assertThat(nov.at("/lines/0/description").asText()).contains("5 \u2192 8 from Nov 10");
        assertThat(nov.at("/lines/1/amount").asText()).isEqualTo("80.00");
        assertThat(nov.get("total").asText()).isEqualTo("101.00");
    }

    @Test
    void refusesBadChangesWithProblems() {
        created(quantity("{\"charge\":\"seats\",\"quantity\":\"5\"}"));
        run(t);
        TestServer.Reply backdated = quantity("{\"charge\":\"seats\",\"quantity\":\"9\",\"effective_at\":\"" + NOV_1 + "\"}");
        assertThat(backdated.status()).isEqualTo(409);
        assertThat(backdated.body()).contains("quantity-before-finalized");
        assertThat(quantity("{\"charge\":\"seats\",\"quantity\":\"-1\"}").status()).isEqualTo(400);
        assertThat(quantity("{\"charge\":\"seats\",\"quantity\":\"1.5\"}").status()).isEqualTo(400);
        assertThat(quantity("{\"charge\":\"seats\"}").status()).isEqualTo(400);
        assertThat(quantity("{\"charge\":\"seats\",\"quantity\":\"2\",\"colour\":\"red\"}").status()).isEqualTo(400);
        assertThat(quantity("{\"charge\":\"nope\",\"quantity\":\"2\"}").status()).isEqualTo(400);
        assertThat(quantity("{\"charge\":\"seats\",\"quantity\":\"2\",\"effective_at\":\"yesterday\"}").status()).isEqualTo(400);
        assertThat(t.post("/v1/subscriptions/sub_nope/quantities", "{\"charge\":\"seats\",\"quantity\":\"2\"}").status())
                .isEqualTo(404);
        assertThat(t.get("/v1/subscriptions/sub_nope/quantities").status()).isEqualTo(404);
        assertThat(ok(t.get("/v1/subscriptions/" + sub + "/quantities")).get("quantities")).hasSize(1);
    }
}

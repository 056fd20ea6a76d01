package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.BillingFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A trial is not MRR: the subscription is new MRR in the month its trial ends, and a trial cancelled never counts. */
class AnalyticsTrialTest {
    @Test
    void mrrStartsWhenTheTrialEndsAndATrialCancelledNeverCounts() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-20T00:00:00Z"));
        try (TestServer t = new TestServer(clock)) {
            ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
            created(t.post("/v1/plans", "{\"key\":\"basic\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                    + "{\"key\":\"base\",\"type\":\"flat\",\"amount\":\"30.00\",\"timing\":\"in_advance\"}]}"));
            for (String c : new String[] {"trial", "quitter"}) {
                created(t.post("/v1/customers", "{\"external_id\":\"" + c + "\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
            }
            // 14 days from Jan 20: the trial ends Feb 3
            created(t.post("/v1/subscriptions", "{\"customer\":\"trial\",\"plan\":\"basic\",\"start\":\"2026-01-20T00:00:00Z\","
                    + "\"trial_days\":14}"));
            String quitter = created(t.post("/v1/subscriptions", "{\"customer\":\"quitter\",\"plan\":\"basic\","
                    + "\"start\":\"2026-01-20T00:00:00Z\",\"trial_days\":14}")).get("id").asText();
            moveTo(clock, Instant.parse("2026-01-25T00:00:00Z"));
            ok(t.post("/v1/subscriptions/" + quitter + "/cancel", "{}"));
            moveTo(clock, Instant.parse("2026-03-01T00:00:00Z"));
            run(t);
            JsonNode mrr = ok(t.get("/v1/analytics/mrr?from=2026-01&to=2026-02"));
            assertThat(mrr.get("months")).hasSize(2);
            JsonNode jan = mrr.get("months").get(0);
            JsonNode feb = mrr.get("months").get(1);
            assertThat(jan.get("mrr").asText()).isEqualTo("0");
            assertThat(feb.get("mrr").asText()).isEqualTo("30.00");
            assertThat(feb.get("new").asText()).isEqualTo("30.00");
            assertThat(feb.get("customers").asInt()).isEqualTo(1);
        }
    }
}

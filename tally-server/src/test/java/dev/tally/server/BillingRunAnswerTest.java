package dev.tally.server;

import static dev.tally.server.BillingFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/billing/runs} counts each invoice once per question: created, rerated, finalized, in grace. */
class BillingRunAnswerTest {
    private static final String PLAN = "{\"key\":\"pro\",\"name\":\"Pro\",\"currency\":\"USD\",\"interval\":\"monthly\","
            + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"10\",\"timing\":\"in_advance\"}]}";

    @Test
    void aNewDraftIsCountedAsCreatedAndInGraceButNotAsRerated() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-01T00:00:00Z"));
        try (TestServer t = new TestServer(clock)) {
            subscribe(t, "acme");

            JsonNode first = run(t);

            assertCounts(first, 1, 0, 0, 1);
            assertThat(first.get("created").asInt()).as("kept for existing clients").isEqualTo(1);
            assertThat(first.get("refreshed").asInt()).as("the first name counted the new draft again").isEqualTo(1);
            assertThat(first.get("finalized").asInt()).isZero();

            JsonNode again = run(t);

            // nothing changed since it was rated: not composed again
            assertCounts(again, 0, 0, 0, 1);
            assertThat(again.get("invoices_unchanged").asInt()).isEqualTo(1);
        }
    }

    @Test
    void aDraftWhoseGraceEndsIsFinalizedAsItIsWhenNothingChangedWhileTheNextPeriodsDraftIsCreated() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-01T00:00:00Z"));
        try (TestServer t = new TestServer(clock)) {
            subscribe(t, "acme");
            subscribe(t, "globex");
            assertCounts(run(t), 2, 0, 0, 2);

            clock.advance(Duration.ofHours(2));
            assertCounts(run(t), 0, 0, 2, 0); // unchanged since they were rated: finalized as they are

            BillingFixtures.moveTo(clock, Instant.parse("2026-12-01T00:00:00Z"));
            assertCounts(run(t), 2, 0, 0, 2);
            clock.advance(Duration.ofMinutes(61));
            JsonNode closing = run(t);

            assertCounts(closing, 0, 0, 2, 0);
            assertThat(closing.get("invoices_unchanged").asInt()).isEqualTo(2);
            assertThat(closing.get("refreshed").asInt()).isZero();
            assertThat(closing.get("finalized").asInt()).isEqualTo(2);
        }
    }

    @Test
    void aDraftCreatedAfterItsGracePeriodIsCreatedAndFinalizedInOneRun() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-01T00:00:00Z"));
        try (TestServer t = new TestServer(clock)) {
            var settings = t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}");
            assertThat(settings.status()).as(settings.body()).isEqualTo(200);
            subscribe(t, "acme");

            JsonNode r = run(t);

            assertCounts(r, 1, 0, 1, 0);
            assertThat(r.get("refreshed").asInt()).isZero();
        }
    }

    private static void assertCounts(JsonNode r, int created, int rerated, int finalized, int inGrace) {
        assertThat(r.get("invoices_created").asInt()).as(r.toString()).isEqualTo(created);
        assertThat(r.get("invoices_rerated").asInt()).as(r.toString()).isEqualTo(rerated);
        assertThat(r.get("invoices_finalized").asInt()).as(r.toString()).isEqualTo(finalized);
        assertThat(r.get("invoices_in_grace").asInt()).as(r.toString()).isEqualTo(inGrace);
    }

    private static void subscribe(TestServer t, String customer) {
        BillingFixtures.created(t.post("/v1/customers", "{\"external_id\":\"" + customer + "\",\"name\":\"" + customer
                + "\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        if (t.get("/v1/plans/pro").status() == 404) {
            BillingFixtures.created(t.post("/v1/plans", PLAN));
        }
        BillingFixtures.created(t.post("/v1/subscriptions", "{\"customer\":\"" + customer + "\",\"plan\":\"pro\"}"));
    }
}

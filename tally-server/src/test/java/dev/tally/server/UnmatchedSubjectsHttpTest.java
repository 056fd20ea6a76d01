package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.event;
import static dev.tally.server.BillingFixtures.ingest;
import static dev.tally.server.BillingFixtures.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Events whose subject matches no customer: {@code GET /v1/events/unmatched-subjects}, the overview's count in
 * {@code GET /v1/stats}, and the {@code events.unknown_subject} webhook, once per subject.
 */
class UnmatchedSubjectsHttpTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T10:00:00Z");
    MutableClock clock;
    TestServer t;
    WebhookReceiver receiver;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_1.plusSeconds(7200));
        t = new TestServer(clock);
        receiver = new WebhookReceiver();
        created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"currency\":\"USD\"}"));
        ingest(t, List.of(event("a1", "api.call", "acme", NOV_1, "{}"),
                event("g1", "api.call", "ghost", NOV_1.plusSeconds(5), "{}"),
                event("g2", "api.call", "ghost", NOV_1.plusSeconds(3700), "{}"),
                event("g3", "api.call", "ghost", NOV_1.plusSeconds(3725), "{}"),
                event("t1", "api.call", "acme-typo", NOV_1.plusSeconds(60), "{}")));
    }

    @AfterEach
    void stop() {
        receiver.close();
        t.close();
    }

    @Test
    void listsEverySubjectNoCustomerHasWithCountsAndFirstAndLastEvent() {
        JsonNode list = ok(t.get("/v1/events/unmatched-subjects"));
        assertThat(list.get("subjects_total").asInt()).isEqualTo(2);
        assertThat(list.get("events_total").asInt()).isEqualTo(4);
        JsonNode ghost = list.get("subjects").get(0);
        assertThat(ghost.get("subject").asText()).isEqualTo("ghost");
        assertThat(ghost.get("events").asInt()).isEqualTo(3);
        assertThat(ghost.get("first_seen").asText()).isEqualTo(NOV_1.plusSeconds(5).toString());
        assertThat(ghost.get("last_seen").asText()).isEqualTo(NOV_1.plusSeconds(3725).toString());
        assertThat(list.get("subjects").get(1).get("subject").asText()).isEqualTo("acme-typo");
        assertThat(ok(t.get("/v1/events/unmatched-subjects?limit=1")).get("subjects")).hasSize(1);

        JsonNode stats = ok(t.get("/v1/stats")).get("events").get("unmatched_subjects");
        assertThat(stats.get("subjects").asInt()).isEqualTo(2);
        assertThat(stats.get("events").asInt()).isEqualTo(4);
    }

    @Test
    void aCancelledEventNoLongerCountsAndACustomerCreatedLaterMatchesItsSubject() {
        ok(t.post("/v1/events/test/t1/cancel", ""));
        created(t.post("/v1/customers", "{\"external_id\":\"ghost\",\"currency\":\"USD\"}"));
        assertThat(ok(t.get("/v1/events/unmatched-subjects")).get("subjects")).isEmpty();
    }

    @Test
    void eventsOfAnArchivedCustomerCountAsUnmatched() {
        ok(t.send("DELETE", "/v1/customers/acme", null, null, TestServer.KEY));
        JsonNode list = ok(t.get("/v1/events/unmatched-subjects"));
        assertThat(list.get("subjects").toString()).contains("\"subject\":\"acme\"");
    }

    @Test
    void announcesEachUnknownSubjectOnceInTheWebhookEnvelope() {
        created(t.post("/v1/webhook-endpoints", "{\"url\":\"" + receiver.url("/hooks")
                + "\",\"event_types\":[\"events.unknown_subject\"],\"description\":\"unknown subjects\"}"));
        assertThat(t.server.engine().unmatchedSubjects().announceNew()).isEqualTo(2);
        assertThat(t.server.engine().unmatchedSubjects().announceNew()).as("once per subject").isZero();
        ingest(t, List.of(event("g4", "api.call", "ghost", NOV_1.plusSeconds(4000), "{}"),
                event("n1", "api.call", "newcomer", NOV_1.plusSeconds(4000), "{}")));
        assertThat(t.server.engine().unmatchedSubjects().announceNew()).isEqualTo(1);
        t.server.engine().webhooks().deliverDue();
        List<WebhookReceiver.Received> got = receiver.received("/hooks");
        assertThat(got).hasSize(3).allSatisfy(r -> {
            assertThat(r.type()).isEqualTo("events.unknown_subject");
            assertThat(r.json().fieldNames()).toIterable().containsExactlyInAnyOrder("type", "timestamp", "data");
        });
        JsonNode ghost = got.stream().map(WebhookReceiver.Received::json)
                .filter(j -> j.get("data").get("subject").asText().equals("ghost")).findFirst().orElseThrow();
        assertThat(ghost.get("data").get("events").asInt()).isEqualTo(3);
        assertThat(ghost.get("data").get("first_seen").asText()).isEqualTo(NOV_1.plusSeconds(5).toString());
        assertThat(ghost.get("data").get("reason").asText()).contains("will not be billed");
    }
}

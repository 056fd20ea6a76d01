package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.event;
import static dev.tally.server.BillingFixtures.ingest;
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
 * Persistent counts over HTTP on port 0: the meter API takes the {@code persistent} settings, users are added in
 * two periods and one removed, and each invoice bills the users still active without any event being sent again.
 * The customer is in New York, so days and periods are New York's: November (30 days) starts at 04:00 UTC,
 * December (31) and January (31) at 05:00 UTC. 30.00 a seat-month, prorated by day, grace period 0.
 */
class PersistentCountHttpTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T04:00:00Z");
    static final Instant DEC_1 = Instant.parse("2026-12-01T05:00:00Z");
    static final Instant JAN_1 = Instant.parse("2027-01-01T05:00:00Z");
    static final Instant FEB_1 = Instant.parse("2027-02-01T05:00:00Z");

    MutableClock clock;
    TestServer t;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_1);
        t = new TestServer(clock);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    private static String seat(String id, Instant at, String user, String op) {
        return event(id, "seat", "acme", at, "{\"user_id\":\"" + user + "\""
                + (op == null ? "" : ",\"operation_type\":\"" + op + "\"") + "}");
    }

    private static List<String> usageLines(JsonNode invoice) {
        List<String> out = new ArrayList<>();
        invoice.get("lines").forEach(l -> {
            if (l.get("kind").asText().equals("usage")) {
                out.add(l.get("quantity").asText() + " = " + l.get("amount").asText());
            }
        });
        return out;
    }

    @Test
    void billsTheUsersStillActiveInTheNextPeriodWithoutResendingThem() {
        JsonNode meter = created(t.post("/v1/meters", "{\"key\":\"seats\",\"event_type\":\"seat\","
                + "\"aggregation\":\"persistent_count\",\"value_path\":\"$.user_id\","
                + "\"persistent\":{\"operation_path\":\"operation_type\",\"measure\":\"prorated_by_day\"}}"));
        assertThat(meter.at("/persistent/measure").asText()).isEqualTo("prorated_by_day");
        assertThat(ok(t.get("/v1/meters/seats")).at("/persistent/operation_path").asText()).isEqualTo("operation_type");
        created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"timezone\":\"America/New_York\","
                + "\"currency\":\"USD\"}"));
        created(t.post("/v1/plans", "{\"key\":\"team\",\"currency\":\"USD\",\"interval\":\"monthly\","
                + "\"charges\":[{\"key\":\"seats\",\"type\":\"usage\",\"name\":\"Seats\",\"meter\":\"seats\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"30\"}}]}"));
        ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"team\",\"start\":\"" + NOV_1 + "\"}"));

        // period 1: ann from 1 November; bob at 22:00 on 15 November in New York (03:00 UTC on the 16th)
        moveTo(clock, Instant.parse("2026-11-20T00:00:00Z"));
        ingest(t, List.of(seat("a1", Instant.parse("2026-11-01T12:00:00Z"), "ann", null),
                seat("b1", Instant.parse("2026-11-16T03:00:00Z"), "bob", "add")));
        JsonNode november = ok(t.get("/v1/meters/seats/usage?customer=acme&from=" + NOV_1 + "&to=" + DEC_1));
        assertThat(november.get("tz").asText()).isEqualTo("America/New_York");
        // ann 30 days + bob 15..30 November = 16 days: 46 / 30
        assertThat(november.at("/rows/0/value").asText()).startsWith("1.5333333333");
        moveTo(clock, DEC_1);
        run(t);
        // 46 / 30 seats × 30 = 46.00
        assertThat(usageLines(invoiceFor(t, "acme", DEC_1))).singleElement().asString().endsWith(" = 46.00")
                .startsWith("1.5333333333");

        // period 2: bob removed on 10 December; nothing is sent for ann
        moveTo(clock, Instant.parse("2026-12-12T00:00:00Z"));
        ingest(t, List.of(seat("b2", Instant.parse("2026-12-10T12:00:00Z"), "bob", "remove")));
        TestServer.Reply bad = t.events("application/cloudevents-batch+json",
                "[" + seat("x1", Instant.parse("2026-12-11T12:00:00Z"), "cy", "delete") + "]");
        assertThat(bad.json().at("/results/0/reason").asText()).isEqualTo("operation_invalid");
        moveTo(clock, JAN_1);
        run(t);
        // ann 31 + bob 1..10 December = 10: 41 / 31 seats × 30 = 39.677… → 39.68
        assertThat(usageLines(invoiceFor(t, "acme", JAN_1))).singleElement().asString().endsWith(" = 39.68")
                .startsWith("1.3225806451");

        // period 3: no event at all; ann is still active, bob is not
        moveTo(clock, FEB_1);
        run(t);
        assertThat(usageLines(invoiceFor(t, "acme", FEB_1))).containsExactly("1 = 30.00");

        JsonNode months = ok(t.get("/v1/meters/seats/usage?customer=acme&window=month&from=" + NOV_1 + "&to=" + FEB_1));
        assertThat(months.get("rows")).hasSize(3);
        assertThat(months.at("/rows/2/value").asText()).isEqualTo("1");
        assertThat(ok(t.get("/v1/reconciliation?from=" + NOV_1 + "&to=" + FEB_1)).toString()).contains("\"differences\":[]");
    }

    @Test
    void refusesBadPersistentSettingsWithTheirFields() {
        TestServer.Reply r = t.post("/v1/meters", "{\"key\":\"seats\",\"event_type\":\"seat\","
                + "\"aggregation\":\"persistent_count\",\"value_path\":\"user_id\",\"persistent\":{\"measure\":\"max\"}}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("persistent.measure").contains("prorated_by_day");
        TestServer.Reply other = t.post("/v1/meters", "{\"key\":\"calls\",\"event_type\":\"call\","
                + "\"aggregation\":\"count\",\"persistent\":{}}");
        assertThat(other.status()).isEqualTo(400);
        assertThat(other.body()).contains("applies to persistent_count only");
    }
}

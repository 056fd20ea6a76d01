package dev.tally.server;

import static dev.tally.server.BillingFixtures.adjustment;
import static dev.tally.server.BillingFixtures.assertInvoice;
import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.event;
import static dev.tally.server.BillingFixtures.ingest;
import static dev.tally.server.BillingFixtures.invoiceFor;
import static dev.tally.server.BillingFixtures.moveTo;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.BillingFixtures.run;
import static dev.tally.server.BillingFixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A duration meter over HTTP on both stores: start, heartbeat and stop events (a session crossing the period's end,
 * one whose stop never came, a late stop, a cancelled stop) become an invoice with the quantity computed by hand,
 * a late stop for the finalized period becomes an adjustment on the next invoice,
 * the live usage counts an open session up to now, and reconciliation finds nothing.
 */
class DurationMeterEndToEndTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant DEC_1 = Instant.parse("2026-12-01T00:00:00Z");

    MutableClock clock;
    TestServer t;

    static Stream<String> stores() {
        return TestServer.stores();
    }

    @AfterEach
    void stop() {
        if (t != null) {
            t.close();
        }
    }

    void start(String store) throws Exception {
        clock = new MutableClock(NOV_1);
        t = TestServer.on(store, clock);
    }

    /** Events of session {@code sid}: "action@time" pairs, posted as one batch once the clock has reached the last. */
    void session(String sid, String... marks) {
        List<String> events = new ArrayList<>();
        Instant last = clock.instant();
        for (String m : marks) {
            String action = m.substring(0, m.indexOf('@'));
            Instant at = Instant.parse(m.substring(m.indexOf('@') + 1));
            last = at.isAfter(last) ? at : last;
            events.add(event(sid + "-" + action + "-" + at.getEpochSecond(), "compute.session", "acme", at,
                    "{\"session_id\":\"" + sid + "\",\"action\":\"" + action + "\"}"));
        }
        if (last.isAfter(clock.instant())) {
            moveTo(clock, last);
        }
        ingest(t, events);
    }

    String minutes(String from, String to) {
        JsonNode u = ok(t.get("/v1/meters/sessions/usage?customer=acme&from=" + from + "&to=" + to));
        return u.get("rows").get(0).get("value").asText();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void startHeartbeatAndStopEventsBecomeAnInvoiceWithTheHandComputedMinutes(String store) throws Exception {
        start(store);
        JsonNode meter = created(t.post("/v1/meters", "{\"key\":\"sessions\",\"event_type\":\"compute.session\","
                + "\"aggregation\":\"duration\",\"time_unit\":\"minute\",\"duration\":{\"key\":\"$.session_id\","
                + "\"kind_path\":\"$.action\",\"timeout\":\"PT10M\"}}"));
        assertThat(meter.get("duration").get("timeout").asText()).isEqualTo("PT10M");
        assertThat(meter.get("time_unit").asText()).isEqualTo("minute");
        created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        created(t.post("/v1/plans", "{\"key\":\"compute\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"sessions\",\"type\":\"usage\",\"name\":\"Compute\",\"meter\":\"sessions\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.10\"}}]}"));
        ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"compute\",\"start\":\"" + NOV_1 + "\"}"));
        run(t);

        // s1: 10:00 to the stop at 10:32, heartbeats every 5 minutes: 32 minutes
        session("s1", "start@2026-11-10T10:00:00Z", "heartbeat@2026-11-10T10:05:00Z", "heartbeat@2026-11-10T10:10:00Z",
                "heartbeat@2026-11-10T10:15:00Z", "heartbeat@2026-11-10T10:20:00Z", "heartbeat@2026-11-10T10:25:00Z",
                "heartbeat@2026-11-10T10:30:00Z", "stop@2026-11-10T10:32:00Z");
        assertThat(minutes("2026-11-10T00:00:00Z", "2026-11-11T00:00:00Z")).isEqualTo("32");

        // s2: open, its stop not sent yet: counted up to now (09:08), then one timeout after the heartbeat
        session("s2", "start@2026-11-12T09:00:00Z", "heartbeat@2026-11-12T09:05:00Z");
        moveTo(clock, Instant.parse("2026-11-12T09:08:00Z"));
        assertThat(minutes("2026-11-12T00:00:00Z", "2026-11-13T00:00:00Z")).isEqualTo("8");
        moveTo(clock, Instant.parse("2026-11-12T10:00:00Z"));
        assertThat(minutes("2026-11-12T00:00:00Z", "2026-11-13T00:00:00Z")).isEqualTo("15");
        // ... until its late stop (event time 09:07) arrives: a fact that shortens the interval to 7 minutes
        session("s2", "stop@2026-11-12T09:07:00Z");
        assertThat(minutes("2026-11-12T00:00:00Z", "2026-11-13T00:00:00Z")).isEqualTo("7");

        // s4: a stop at 08:06, then cancelled: the session is closed one timeout after its 08:05 heartbeat (15 min)
        session("s4", "start@2026-11-20T08:00:00Z", "heartbeat@2026-11-20T08:05:00Z", "stop@2026-11-20T08:06:00Z");
        assertThat(minutes("2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z")).isEqualTo("6");
        ok(t.post("/v1/events/test/s4-stop-" + Instant.parse("2026-11-20T08:06:00Z").getEpochSecond() + "/cancel", ""));
        assertThat(minutes("2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z")).isEqualTo("6"); // open again: up to now
        moveTo(clock, Instant.parse("2026-11-20T09:00:00Z"));
        assertThat(minutes("2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z")).isEqualTo("15");

        // s3: 23:50 on Nov 30 to 00:08 on Dec 1: November bills its 10 minutes, December its 8
        session("s3", "start@2026-11-30T23:50:00Z", "heartbeat@2026-11-30T23:55:00Z", "heartbeat@2026-12-01T00:00:00Z",
                "heartbeat@2026-12-01T00:05:00Z", "stop@2026-12-01T00:08:00Z");
        JsonNode days = ok(t.get("/v1/meters/sessions/usage?customer=acme&from=2026-11-30T00:00:00Z"
                + "&to=2026-12-02T00:00:00Z&window=day"));
        assertThat(days.get("rows").get(0).get("value").asText()).isEqualTo("10");
        assertThat(days.get("rows").get(1).get("value").asText()).isEqualTo("8");

        // November: 32 + 7 + 15 + 10 = 64 minutes at 0.10
        assertThat(minutes(NOV_1.toString(), DEC_1.toString())).isEqualTo("64");
        moveTo(clock, Instant.parse("2026-12-01T01:00:00Z"));
        run(t);
        assertInvoice(invoiceFor(t, "acme", DEC_1), "6.40", "0.00", "6.40", usage("sessions", "64", "6.40", null));

        JsonNode rec = ok(t.get("/v1/reconciliation?from=2026-11-01T00:00:00Z&to=2026-12-02T00:00:00Z"));
        assertThat(rec.get("differences")).as(rec.toString()).isEmpty();
        assertThat(rec.get("events_scanned").asInt()).isEqualTo(18); // 8 + 3 + 2 (one cancelled) + 5

        // after November is finalized, a late stop for s4 (event time 08:07): 7 minutes instead of 15, so
        // December's invoice carries its own 8 minutes and an adjustment of November by -8 minutes
        assertThat(invoiceFor(t, "acme", DEC_1).get("status").asText()).isEqualTo("finalized");
        session("s4", "stop@2026-11-20T08:07:00Z");
        assertThat(minutes(NOV_1.toString(), DEC_1.toString())).isEqualTo("56");
        moveTo(clock, Instant.parse("2027-01-01T01:00:00Z"));
        run(t);
        assertInvoice(invoiceFor(t, "acme", Instant.parse("2027-01-01T00:00:00Z")), "0.00", "0.00", "0.00",
                usage("sessions", "8", "0.80", null), adjustment("sessions", "-0.80", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aDurationMeterWithoutItsDurationObjectIsRefusedNamingTheFields(String store) throws Exception {
        start(store);
        var r = t.post("/v1/meters", "{\"key\":\"sessions\",\"event_type\":\"compute.session\","
                + "\"aggregation\":\"duration\",\"duration\":{\"key\":\"session_id\",\"timeout\":\"soon\"}}");
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("duration.kind_path", "duration.timeout");
    }
}

package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventsAndMetersHttpTest {
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    MutableClock clock;
    TestServer t;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOW);
        t = new TestServer(clock);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    static String event(String id, String subject, String time, String data) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"app\",\"type\":\"llm.tokens\",\"subject\":\""
                + subject + "\",\"time\":\"" + time + "\",\"data\":" + data + "}";
    }

    void tokensMeter() {
        var r = t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                + "\"value_path\":\"tokens\",\"group_by\":[\"model\"]}");
        assertThat(r.status()).isEqualTo(201);
    }

    JsonNode usage(String query) {
        var r = t.get("/v1/meters/tokens/usage?" + query);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void rejectsRequestsWithoutAValidKey() {
        var none = t.send("GET", "/v1/meters", null, null, null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(none.json().get("type").asText()).endsWith("/unauthorized");
        assertThat(t.send("GET", "/v1/meters", null, null, "tly_wrong_key_000000000000").status()).isEqualTo(401);
    }

    @Test
    void givesEachEventOfABatchItsOwnOutcome() {
        tokensMeter();
        String batch = "[" + event("e1", "acme", "2026-11-20T10:00:00Z", "{\"tokens\":10,\"model\":\"big\"}") + ","
                + event("e1", "acme", "2026-11-20T10:00:00Z", "{\"tokens\":10,\"model\":\"big\"}") + ","
                + event("e2", "acme", "2026-11-29T10:00:00Z", "{\"tokens\":1}") + ","
                + event("e3", "acme", "2026-11-20T10:00:00Z", "{\"tokens\":\"many\"}") + ","
                + "{\"specversion\":\"1.0\",\"id\":\"e4\",\"source\":\"app\",\"type\":\"llm.tokens\"},"
                + event("e5", "acme", "2026-09-01T10:00:00Z", "{\"tokens\":1}") + ","
                + event("e6", "acme", "2026-11-20T10:30:00Z", "{\"tokens\":\"2.5\",\"model\":\"small\"}") + "]";
        var r = t.events("application/cloudevents-batch+json", batch);
        assertThat(r.status()).isEqualTo(200);
        JsonNode j = r.json();
        assertThat(j.get("accepted").asInt()).isEqualTo(2);
        assertThat(j.get("duplicates").asInt()).isEqualTo(1);
        assertThat(j.get("rejected").asInt()).isEqualTo(4);
        List<String> statuses = new ArrayList<>();
        j.get("results").forEach(x -> statuses.add(x.get("status").asText() + ":" + x.path("reason").asText("")));
        assertThat(statuses).containsExactly("accepted:", "duplicate:", "rejected:time_in_future",
                "rejected:value_not_numeric", "rejected:missing_subject", "rejected:too_old", "accepted:");
        JsonNode u = usage("customer=acme&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z");
        assertThat(u.get("rows").get(0).get("value").asText()).isEqualTo("12.5");
    }

    @Test
    void theLatestRejectedEventsAreListedWithTheirReasons() {
        tokensMeter();
        t.events("application/json", "[" + event("ok1", "acme", "2026-11-20T10:00:00Z", "{\"tokens\":1}") + ","
                + event("bad1", "acme", "2026-11-20T10:00:00Z", "{\"tokens\":\"many\"}") + ","
                + event("bad2", "other", "2026-11-29T10:00:00Z", "{\"tokens\":1}") + "]");
        JsonNode all = t.get("/v1/events/rejected").json().get("rejected");
        assertThat(all).hasSize(2);
        assertThat(all.get(0).get("id").asText()).isEqualTo("bad2");
        assertThat(all.get(0).get("reason").asText()).isEqualTo("time_in_future");
        JsonNode acme = t.get("/v1/events/rejected?customer=acme").json().get("rejected");
        assertThat(acme).hasSize(1);
        assertThat(acme.get(0).get("reason").asText()).isEqualTo("value_not_numeric");
        assertThat(acme.get(0).get("subject").asText()).isEqualTo("acme");
    }

    @Test
    void acceptsSingleStructuredEventsAndRejectsWrongShapes() {
        String one = event("s1", "acme", "2026-11-20T10:00:00Z", "{}");
        assertThat(t.events("application/cloudevents+json", one).json().get("accepted").asInt()).isEqualTo(1);
        assertThat(t.events("application/cloudevents+json", "[" + one + "]").status()).isEqualTo(400);
        assertThat(t.events("application/cloudevents-batch+json", one).status()).isEqualTo(400);
        var malformed = t.events("application/json", "{\"id\":");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("type").asText()).endsWith("/malformed-body");
        assertThat(t.events("text/plain", one).status()).isEqualTo(415);
    }

    @Test
    void refusesBatchesOverTheLimitWith413() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i <= 10_000; i++) {
            sb.append(i == 0 ? "" : ",").append("{}");
        }
        var r = t.events("application/json", sb.append("]").toString());
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.json().get("detail").asText()).contains("10000");
        String big = event("big", "acme", "2026-11-20T10:00:00Z", "{\"pad\":\"" + "x".repeat(70_000) + "\"}");
        var r2 = t.events("application/json", big);
        assertThat(r2.json().get("results").get(0).get("reason").asText()).isEqualTo("event_too_large");
    }

    @Test
    void usageIsLiveAndSplitsByWindowAndGroup() {
        tokensMeter();
        t.events("application/json", "[" + event("a", "acme", "2026-11-19T23:30:00Z", "{\"tokens\":5,\"model\":\"big\"}")
                + "," + event("b", "acme", "2026-11-20T00:30:00Z", "{\"tokens\":7,\"model\":\"small\"}")
                + "," + event("c", "acme", "2026-11-20T01:15:00Z", "{\"tokens\":1,\"model\":\"big\"}")
                + "," + event("d", "other", "2026-11-20T01:15:00Z", "{\"tokens\":100,\"model\":\"big\"}") + "]");
        JsonNode days = usage("customer=acme&from=2026-11-19T00:00:00Z&to=2026-11-21T00:00:00Z&window=day");
        assertThat(days.get("rows")).hasSize(2);
        assertThat(days.get("rows").get(0).get("value").asText()).isEqualTo("5");
        assertThat(days.get("rows").get(1).get("value").asText()).isEqualTo("8");
        JsonNode tokyo = usage("customer=acme&from=2026-11-19T00:00:00%2B09:00&to=2026-11-21T00:00:00%2B09:00&window=day&tz=Asia/Tokyo");
        assertThat(tokyo.get("rows")).hasSize(1);
        assertThat(tokyo.get("rows").get(0).get("value").asText()).isEqualTo("13");
        JsonNode groups = usage("customer=acme&from=2026-11-19T00:00:00Z&to=2026-11-21T00:00:00Z&group_by=model");
        assertThat(groups.get("rows")).hasSize(2);
        assertThat(groups.get("rows").get(0).get("group").get("model").asText()).isEqualTo("big");
        assertThat(groups.get("rows").get(0).get("value").asText()).isEqualTo("6");
        JsonNode filtered = usage("from=2026-11-19T00:00:00Z&to=2026-11-21T00:00:00Z&filter[model]=big");
        assertThat(filtered.get("rows").get(0).get("value").asText()).isEqualTo("106");
        JsonNode partial = usage("customer=acme&from=2026-11-19T23:45:00Z&to=2026-11-20T01:20:00Z");
        assertThat(partial.get("rows").get(0).get("value").asText()).isEqualTo("8");
        assertThat(t.get("/v1/meters/tokens/usage?group_by=region").status()).isEqualTo(400);
        assertThat(t.get("/v1/meters/nope/usage").status()).isEqualTo(404);
    }

    @Test
    void cancelRemovesAnEventsEffectButKeepsBothFacts() {
        tokensMeter();
        t.events("application/json", "[" + event("a", "acme", "2026-11-20T10:00:00Z", "{\"tokens\":5}") + ","
                + event("b", "acme", "2026-11-20T10:10:00Z", "{\"tokens\":7}") + "]");
        var c = t.post("/v1/events/app/a/cancel", "");
        assertThat(c.status()).isEqualTo(200);
        assertThat(c.json().get("status").asText()).isEqualTo("cancelled");
        assertThat(t.post("/v1/events/app/a/cancel", "").json().get("status").asText()).isEqualTo("already_cancelled");
        assertThat(t.post("/v1/events/app/zzz/cancel", "").status()).isEqualTo(404);
        assertThat(usage("customer=acme&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z")
                .get("rows").get(0).get("value").asText()).isEqualTo("7");
        JsonNode listed = t.get("/v1/events?customer=acme").json();
        assertThat(listed.get("events")).hasSize(2);
        assertThat(listed.get("events").get(0).get("cancelled").asBoolean()).isTrue();
        var again = t.events("application/json", event("a", "acme", "2026-11-20T10:00:00Z", "{\"tokens\":5}"));
        assertThat(again.json().get("duplicates").asInt()).isEqualTo(1);
        assertThat(t.get("/v1/reconciliation").json().get("consistent").asBoolean()).isTrue();
    }

    @Test
    void listsEventsByCustomerTypeAndTimeWithCursorPaging() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 25; i++) {
            sb.append(i == 0 ? "" : ",").append(event("p" + i, i % 2 == 0 ? "acme" : "other",
                    NOW.minus(Duration.ofMinutes(60 - i)).toString(), "{\"tokens\":1}"));
        }
        t.events("application/json", sb.append("]").toString());
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = t.get("/v1/events?customer=acme&limit=5" + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.get("events").forEach(e -> ids.add(e.get("id").asText()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        assertThat(ids).hasSize(13).doesNotHaveDuplicates().allMatch(id -> Integer.parseInt(id.substring(1)) % 2 == 0);
        List<String> all = new ArrayList<>();
        cursor = null;
        do {
            JsonNode page = t.get("/v1/events?limit=7&type=llm.tokens" + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.get("events").forEach(e -> all.add(e.get("id").asText()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        assertThat(all).hasSize(25).doesNotHaveDuplicates();
        JsonNode ranged = t.get("/v1/events?from=" + NOW.minus(Duration.ofMinutes(40)) + "&to=" + NOW).json();
        assertThat(ranged.get("events")).hasSize(5);
        assertThat(t.get("/v1/events?cursor=garbage").status()).isEqualTo(400);
    }

    @Test
    void unmatchedEventsAreStoredCountedAndBillableOnceAMeterExists() {
        t.events("application/json", "[" + event("u1", "acme", "2026-11-20T10:00:00Z", "{\"tokens\":3}") + ","
                + event("u2", "acme", "2026-11-20T11:00:00Z", "{\"tokens\":4}") + "]");
        JsonNode types = t.get("/v1/event-types").json().get("event_types");
        assertThat(types.get(0).get("type").asText()).isEqualTo("llm.tokens");
        assertThat(types.get(0).get("metered").asBoolean()).isFalse();
        assertThat(t.get("/metrics").body()).contains("tally_events_unmatched_total 2.0");
        tokensMeter();
        assertThat(usage("customer=acme").get("rows").get(0).get("value").asText()).isEqualTo("7");
    }

    @Test
    void aNewMeterVersionAppliesFromItsEffectiveTimeAndHistoryKeepsTheOld() {
        tokensMeter();
        t.events("application/json", "[" + event("v1", "acme", "2026-11-20T09:00:00Z", "{\"tokens\":3,\"model\":\"big\"}") + ","
                + event("v2", "acme", "2026-11-20T11:00:00Z", "{\"tokens\":4,\"model\":\"small\"}") + "]");
        var put = t.put("/v1/meters/tokens", "{\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\",\"value_path\":\"tokens\","
                + "\"group_by\":[\"model\"],\"filters\":{\"model\":[\"big\"]},\"effective_from\":\"2026-11-20T10:00:00Z\"}");
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().get("version").asInt()).isEqualTo(2);
        assertThat(put.json().get("versions")).hasSize(2);
        assertThat(usage("customer=acme&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z")
                .get("rows").get(0).get("value").asText()).isEqualTo("3");
        var bad = t.put("/v1/meters/tokens", "{\"event_type\":\"llm.tokens\",\"aggregation\":\"max\",\"value_path\":\"tokens\"}");
        assertThat(bad.status()).isEqualTo(409);
        assertThat(t.get("/v1/meters/tokens").json().get("filters").get("model").get(0).asText()).isEqualTo("big");
        assertThat(t.get("/v1/meters").json().get("meters")).hasSize(1);
        assertThat(t.get("/v1/reconciliation").json().get("consistent").asBoolean()).isTrue();
    }

    @Test
    void meterValidationNamesEveryBadField() {
        var r = t.post("/v1/meters", "{\"key\":\"Bad Key\",\"aggregation\":\"median\",\"expression\":\"tokens *\",\"colour\":1}");
        assertThat(r.status()).isEqualTo(400);
        List<String> fields = new ArrayList<>();
        r.json().get("errors").forEach(e -> fields.add(e.get("field").asText()));
        assertThat(fields).contains("key", "event_type", "aggregation", "expression", "colour");
        tokensMeter();
        assertThat(t.post("/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"x\",\"aggregation\":\"count\"}").status())
                .isEqualTo(409);
    }

    @Test
    void expressionMetersComputeExactPerEventQuantities() {
        var m = t.post("/v1/meters", "{\"key\":\"weighted\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                + "\"expression\":\"tokens * lookup(model, 'big', 2.5, 'small', 0.1, 1)\"}");
        assertThat(m.status()).as(m.body()).isEqualTo(201);
        t.events("application/json", "[" + event("x1", "acme", "2026-11-20T10:00:00Z", "{\"tokens\":3,\"model\":\"small\"}") + ","
                + event("x2", "acme", "2026-11-20T10:00:00Z", "{\"tokens\":4,\"model\":\"big\"}") + ","
                + event("x3", "acme", "2026-11-20T10:00:00Z", "{\"tokens\":1,\"model\":\"other\"}") + "]");
        assertThat(t.get("/v1/meters/weighted/usage?customer=acme").json().get("rows").get(0).get("value").asText())
                .isEqualTo("11.3");
    }

    @Test
    void survivesARestartWithEverythingCounted() {
        tokensMeter();
        t.events("application/json", "[" + event("r1", "acme", "2026-11-20T10:00:00Z", "{\"tokens\":3}") + ","
                + event("r2", "acme", "2026-11-20T10:00:00Z", "{\"tokens\":4}") + "]");
        t.post("/v1/events/app/r1/cancel", "");
        t.close();
        t = new TestServer(clock, t.dir);
        assertThat(usage("customer=acme").get("rows").get(0).get("value").asText()).isEqualTo("4");
        assertThat(t.events("application/json", event("r2", "acme", "2026-11-20T10:00:00Z", "{\"tokens\":4}"))
                .json().get("duplicates").asInt()).isEqualTo(1);
    }

    @Test
    void healthAndMetricsAreServedWithoutAKey() {
        assertThat(t.send("GET", "/health/live", null, null, null).status()).isEqualTo(200);
        assertThat(t.send("GET", "/health/ready", null, null, null).status()).isEqualTo(200);
        String metrics = t.send("GET", "/metrics", null, null, null).body();
        assertThat(metrics).contains("tally_events_accepted_total", "tally_events_rejected_total{reason=\"too_old\"}",
                "tally_ingest_request_seconds_bucket", "tally_log_size_bytes", "tally_checkpoint_age_seconds",
                "tally_dedup_window_ids{tier=\"memory\"}", "tally_dedup_window_ids{tier=\"disk\"}",
                "tally_dedup_heap_bytes{tier=\"memory\"}", "tally_dedup_disk_bytes", "tally_dedup_slices",
                "tally_log_bytes{location=\"local\"}", "tally_log_bytes{location=\"archived\"}",
                "tally_log_segments{state=\"compressed\"}", "tally_log_segments{state=\"archived\"}",
                "tally_log_oldest_local_record_timestamp_seconds", "tally_log_archive_fetches",
                "tally_checkpoint_duration_seconds", "tally_checkpoint_written_bytes", "tally_checkpoint_size_bytes",
                "tally_checkpoint_deltas", "tally_checkpoint_compactions_total");
    }

    @Test
    void unknownRoutesAndMethodsGetProblems() {
        assertThat(t.get("/v1/nothing").status()).isEqualTo(404);
        assertThat(t.send("DELETE", "/v1/meters", null, null, TestServer.KEY).status()).isEqualTo(405);
    }
}

package dev.tally.engine.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.billing.LineKind;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.TestStore;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.ingest.IngestResult;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Persistent counts through the engine, on the embedded store and on PostgreSQL: units added in one period are
 * billed in the next without being sent again, cancels are facts, reconciliation recomputes the buckets from the
 * log, a checkpoint keeps the history, and the meter version in force decides how a window is measured. Every
 * figure is computed by hand in the comments (November has 30 days, December 31, January 31).
 */
class PersistentCountEngineTest {
    static final String T = Engine.DEFAULT_TENANT;
    static final Instant NOV = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant DEC = Instant.parse("2026-12-01T00:00:00Z");
    static final Instant JAN = Instant.parse("2027-01-01T00:00:00Z");
    static final Instant FEB = Instant.parse("2027-02-01T00:00:00Z");
    static final String SEATS = "{\"key\":\"seats\",\"event_type\":\"seat\",\"aggregation\":\"persistent_count\","
            + "\"value_path\":\"$.user_id\"}";

    final ObjectMapper json = Json.newMapper();
    final ManualClock clock = new ManualClock(NOV);
    final List<String> databases = new ArrayList<>();

    @TempDir
    Path dir;

    static Stream<TestStore> stores() {
        return TestStore.both();
    }

    @AfterEach
    void dropDatabases() {
        databases.forEach(TestDatabases::drop);
    }

    private static IngestResult seat(Engine e, String id, String customer, String user, String op, String time) {
        String body = "[{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"s\",\"type\":\"seat\",\"subject\":\""
                + customer + "\",\"time\":\"" + time + "\",\"data\":{\"user_id\":\"" + user + "\""
                + (op == null ? "" : ",\"operation_type\":\"" + op + "\"") + "}}]";
        return e.ingest(T, e.eventReader().read(body.getBytes(StandardCharsets.UTF_8), CloudEventReader.BodyShape.BATCH));
    }

    private static List<String> usage(Engine e, Optional<String> customer, Instant from, Instant to, Window w,
            ZoneId zone) {
        return e.usage(T, new UsageRequest("seats", customer, from, to, w, zone, List.of(), Map.of())).stream()
                .map(r -> r.windowStart() + " " + r.value().round(new MathContext(6)).stripTrailingZeros()
                        .toPlainString())
                .toList();
    }

    private static String value(Engine e, String customer, Instant from, Instant to) {
        List<UsageRow> rows = e.usage(T, new UsageRequest("seats", Optional.of(customer), from, to, Window.NONE,
                ZoneOffset.UTC, List.of(), Map.of()));
        return rows.get(0).value().toPlainString();
    }

    private static String ratio(long unitDays, long days) {
        return BigDecimal.valueOf(unitDays).divide(BigDecimal.valueOf(days), MathContext.DECIMAL128).toPlainString();
    }

    private static Invoice ending(Billing b, Instant end) {
        return b.invoices(T, Optional.of("acme"), Optional.empty(), 100).stream()
                .filter(i -> i.period().end().equals(end)).findFirst().orElseThrow();
    }

    private static List<String> seatLines(Invoice i) {
        return i.lines().stream().filter(l -> l.chargeKey().equals("seats") && l.kind() == LineKind.USAGE)
                .map(l -> l.quantity().round(new MathContext(6)).toPlainString() + " = " + l.amount().plainString())
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void unitsAddedInOnePeriodAreBilledInTheNextWithoutBeingSentAgain(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            Billing b = e.billing();
            b.setGracePeriod(T, Duration.ZERO);
            e.createMeter(T, json.readTree(SEATS));
            b.createPlan(T, json.readTree("{\"key\":\"team\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                    + "{\"key\":\"seats\",\"type\":\"usage\",\"name\":\"Seats\",\"meter\":\"seats\","
                    + "\"price\":{\"model\":\"unit\",\"unit_price\":\"30\"}}]}"));
            b.createCustomer(T, json.readTree("{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
            b.subscribe(T, json.readTree("{\"customer\":\"acme\",\"plan\":\"team\"}"));
            b.run(T);

            clock.set(Instant.parse("2026-11-20T00:00:00Z"));
            assertThat(seat(e, "a1", "acme", "ann", null, "2026-11-01T10:00:00Z").accepted()).isEqualTo(1);
            assertThat(seat(e, "b1", "acme", "bob", "add", "2026-11-16T08:00:00Z").accepted()).isEqualTo(1);
            // an add of an active unit changes nothing
            seat(e, "a2", "acme", "ann", "add", "2026-11-18T08:00:00Z");

            clock.set(DEC);
            b.run(T);
            // ann 30 days + bob 16..30 November = 15 days: 45 / 30 = 1.5 seats × 30 = 45.00
            assertThat(seatLines(ending(b, DEC))).containsExactly("1.5 = 45.00");

            clock.set(Instant.parse("2026-12-22T00:00:00Z"));
            seat(e, "b2", "acme", "bob", "remove", "2026-12-10T12:00:00Z");
            seat(e, "c1", "acme", "cy", "add", "2026-12-20T09:00:00Z");
            // the live estimate is the closing invoice if nothing changes: active units count to the period's end
            assertThat(b.currentUsage(T, "acme").get(0).charges()).singleElement().satisfies(c -> {
                assertThat(c.quantity()).isEqualByComparingTo(ratio(53, 31));
                assertThat(c.amount()).isEqualByComparingTo("51.29");
            });
            clock.set(JAN);
            b.run(T);
            // ann 31 + bob 1..10 December = 10 + cy 20..31 = 12: 53 / 31 = 1.70968 seats × 30 = 51.290… → 51.29
            assertThat(seatLines(ending(b, JAN))).containsExactly("1.70968 = 51.29");

            // January: no event at all, ann and cy are still active all month: 2 × 30 = 60.00
            clock.set(FEB);
            b.run(T);
            assertThat(seatLines(ending(b, FEB))).containsExactly("2 = 60.00");
            assertThat(e.reconcile(T, NOV, FEB).differences()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aCancelIsAFactTheStateComesFromHistoryAndReconciliationAgrees(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            e.createMeter(T, json.readTree(SEATS));
            clock.set(Instant.parse("2026-12-05T00:00:00Z"));
            seat(e, "a1", "acme", "ann", null, "2026-11-01T10:00:00Z");
            seat(e, "b1", "acme", "bob", null, "2026-11-16T08:00:00Z");
            seat(e, "b2", "acme", "bob", "remove", "2026-11-21T08:00:00Z");
            seat(e, "z1", "zeta", "zed", null, "2026-11-11T23:00:00Z");
            // bob: 16..21 November = 6 days; ann 30; zed 11..30 = 20
            assertThat(value(e, "acme", NOV, DEC)).isEqualTo(ratio(36, 30));
            assertThat(e.cancel(T, "s", "b2").alreadyCancelled()).isFalse();
            // without the remove bob is active 16..30 November (15 days) and all of December
            assertThat(value(e, "acme", NOV, DEC)).isEqualTo(ratio(45, 30));
            assertThat(value(e, "acme", DEC, JAN)).isEqualTo("2");
            assertThat(usage(e, Optional.of("acme"), NOV, JAN, Window.MONTH, ZoneOffset.UTC))
                    .containsExactly(NOV + " 1.5", DEC + " 2");
            // the whole tenant: each customer measured from its own history, then added up
            assertThat(usage(e, Optional.empty(), NOV, JAN, Window.MONTH, ZoneOffset.UTC))
                    .containsExactly(NOV + " 2.16667", DEC + " 3");
            // day windows in New York: zed was added on 11 November at 18:00 there
            assertThat(usage(e, Optional.of("zeta"), Instant.parse("2026-11-10T05:00:00Z"),
                    Instant.parse("2026-11-13T05:00:00Z"), Window.DAY, ZoneId.of("America/New_York")))
                    .containsExactly("2026-11-11T05:00:00Z 1", "2026-11-12T05:00:00Z 1");
            // a window of part of a day (day-prorated over the one day it touches)
            assertThat(value(e, "acme", Instant.parse("2026-11-16T09:00:00Z"), Instant.parse("2026-11-16T10:00:00Z")))
                    .isEqualTo("2");
            assertThat(e.reconcile(T, NOV, JAN).differences()).isEmpty();
        }
    }

    @Test
    void aRestartFromACheckpointKeepsEveryUnitsHistory() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            e.createMeter(T, json.readTree(SEATS));
            clock.set(Instant.parse("2026-11-20T00:00:00Z"));
            seat(e, "a1", "acme", "ann", null, "2026-11-01T10:00:00Z");
            seat(e, "b1", "acme", "bob", null, "2026-11-16T08:00:00Z");
            assertThat(e.checkpoint()).isTrue();
            seat(e, "b2", "acme", "bob", "remove", "2026-11-19T08:00:00Z");
        }
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            // ann 30 + bob 16..19 = 4
            assertThat(value(e, "acme", NOV, DEC)).isEqualTo(ratio(34, 30));
            assertThat(value(e, "acme", DEC, JAN)).isEqualTo("1");
            assertThat(e.reconcile(T, NOV, DEC).differences()).isEmpty();
        }
    }

    @Test
    void theVersionInForceAtAWindowsEndDecidesTheMeasureAndARemoveCrossesVersions() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            e.createMeter(T, json.readTree(SEATS));
            e.putMeter(T, "seats", json.readTree("{\"event_type\":\"seat\",\"aggregation\":\"persistent_count\","
                    + "\"value_path\":\"user_id\",\"persistent\":{\"measure\":\"active_at_end\"},"
                    + "\"effective_from\":\"2026-12-01T00:00:00Z\"}"));
            clock.set(Instant.parse("2026-11-20T00:00:00Z"));
            seat(e, "a1", "acme", "ann", null, "2026-11-01T10:00:00Z");
            seat(e, "b1", "acme", "bob", null, "2026-11-16T08:00:00Z");
            clock.set(Instant.parse("2026-12-12T00:00:00Z"));
            seat(e, "c1", "acme", "cy", null, "2026-12-02T08:00:00Z");
            // bob was added under version 1 and is removed under version 2
            seat(e, "b2", "acme", "bob", "remove", "2026-12-10T08:00:00Z");
            // November, version 1 (prorated): ann 30 + bob 15 = 45 / 30
            assertThat(value(e, "acme", NOV, DEC)).isEqualTo("1.5");
            // December, version 2 (active at the end): ann and cy
            assertThat(value(e, "acme", DEC, JAN)).isEqualTo("2");
            assertThat(e.reconcile(T, NOV, JAN).differences()).isEmpty();
        }
    }

    @Test
    void aUnitsIdentityIncludesItsGroupValues() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            e.createMeter(T, json.readTree("{\"key\":\"seats\",\"event_type\":\"seat\","
                    + "\"aggregation\":\"persistent_count\",\"value_path\":\"user_id\",\"group_by\":[\"team\"],"
                    + "\"persistent\":{\"measure\":\"active_at_end\"}}"));
            clock.set(Instant.parse("2026-11-20T00:00:00Z"));
            String body = "[" + teamSeat("a1", "ann", "add", "red", "2026-11-02") + ","
                    + teamSeat("a2", "ann", "remove", "blue", "2026-11-03") + ","
                    + teamSeat("b1", "bob", "add", "blue", "2026-11-04") + ","
                    + teamSeat("b2", "bob", "remove", "blue", "2026-11-05") + "]";
            e.ingest(T, e.eventReader().read(body.getBytes(StandardCharsets.UTF_8), CloudEventReader.BodyShape.BATCH));
            // ann's remove carries another team: it removes nothing, ann stays active in red; bob is removed
            List<UsageRow> byTeam = e.usage(T, new UsageRequest("seats", Optional.of("acme"), NOV, DEC, Window.NONE,
                    ZoneOffset.UTC, List.of("team"), Map.of()));
            assertThat(byTeam).extracting(r -> r.group().get(0).orElse("") + " " + r.value().toPlainString())
                    .containsExactly("blue 0", "red 1");
            assertThat(value(e, "acme", NOV, DEC)).isEqualTo("1");
        }
    }

    private static String teamSeat(String id, String user, String op, String team, String day) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"s\",\"type\":\"seat\",\"subject\":\"acme\","
                + "\"time\":\"" + day + "T10:00:00Z\",\"data\":{\"user_id\":\"" + user + "\",\"operation_type\":\"" + op
                + "\",\"team\":\"" + team + "\"}}";
    }

    @Test
    void anUnknownOperationIsRejectedAndNothingElseOfTheBatchIsLost() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            e.createMeter(T, json.readTree(SEATS));
            clock.set(Instant.parse("2026-11-20T00:00:00Z"));
            IngestResult bad = seat(e, "x1", "acme", "ann", "delete", "2026-11-01T10:00:00Z");
            assertThat(bad.rejected()).isEqualTo(1);
            assertThat(bad.results().get(0).reason()).hasValueSatisfying(r -> assertThat(r.code())
                    .isEqualTo("operation_invalid"));
            assertThat(value(e, "acme", NOV, DEC)).isEqualTo("0");
        }
    }
}

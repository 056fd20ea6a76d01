package dev.tally.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.ingest.EventQuery;
import dev.tally.engine.ingest.IngestResult;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.Window;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The store contract: everything Tally persists behaves the same on the embedded store and on PostgreSQL —
 * events and the duplicate decision, cancels, meters and their versions, aggregates after a restart,
 * customers, plans, subscriptions, invoices and their numbers.
 */
class StoreContractTest {
    static final String T = Engine.DEFAULT_TENANT;
    final ObjectMapper json = Json.newMapper();
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-10T12:00:00Z"));
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

    IngestResult send(Engine e, String... events) {
        String body = "[" + String.join(",", events) + "]";
        return e.ingest(T, e.eventReader().read(body.getBytes(StandardCharsets.UTF_8), CloudEventReader.BodyShape.BATCH));
    }

    static String event(String id, String customer, String time, int tokens) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"s\",\"type\":\"tok\",\"subject\":\"" + customer
                + "\",\"time\":\"" + time + "\",\"data\":{\"n\":" + tokens + ",\"model\":\"m" + (tokens % 2) + "\"}}";
    }

    String total(Engine e, String customer) {
        return e.usage(T, new UsageRequest("n", Optional.of(customer), Instant.parse("2026-11-01T00:00:00Z"),
                Instant.parse("2026-12-01T00:00:00Z"), Window.NONE, ZoneOffset.UTC, List.of(), Map.of()))
                .get(0).value().toPlainString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void eventsDuplicatesCancelsAndMetersSurviveARestart(TestStore store) throws Exception {
        EngineConfig config = store.config(dir, databases);
        try (Engine e = Engine.open(config, clock)) {
            e.createMeter(T, json.readTree("{\"key\":\"n\",\"event_type\":\"tok\",\"aggregation\":\"sum\",\"value_path\":\"n\",\"group_by\":[\"model\"]}"));
            IngestResult r = send(e, event("a", "acme", "2026-11-10T10:00:00Z", 5), event("b", "acme", "2026-11-10T10:30:00Z", 7),
                    event("a", "acme", "2026-11-10T10:00:00Z", 5));
            assertThat(r.accepted()).isEqualTo(2);
            assertThat(r.duplicates()).isEqualTo(1);
            assertThat(send(e, event("b", "acme", "2026-11-10T10:30:00Z", 7)).duplicates()).isEqualTo(1);
            assertThat(total(e, "acme")).isEqualTo("12");
            e.cancel(T, "s", "a");
            assertThat(total(e, "acme")).isEqualTo("7");
            e.putMeter(T, "n", json.readTree("{\"event_type\":\"tok\",\"aggregation\":\"sum\",\"value_path\":\"n\","
                    + "\"group_by\":[\"model\"],\"filters\":{\"model\":[\"m0\"]},\"effective_from\":\"2026-11-10T10:15:00Z\"}"));
            send(e, event("c", "acme", "2026-11-10T11:00:00Z", 4), event("d", "acme", "2026-11-10T11:00:00Z", 3));
            assertThat(total(e, "acme")).isEqualTo("4");
            assertThat(e.events(T, new EventQuery(Optional.of("acme"), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), 100)).events()).hasSize(4);
        }
        try (Engine e = Engine.open(config, clock)) {
            assertThat(total(e, "acme")).isEqualTo("4");
            assertThat(send(e, event("c", "acme", "2026-11-10T11:00:00Z", 4)).duplicates()).isEqualTo(1);
            assertThat(e.meters(T).versionsByKey().get("n")).hasSize(2);
            assertThat(e.reconcile(T, Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"))
                    .differences()).isEmpty();
        }
    }

    @org.junit.jupiter.api.Test
    void anExistingPostgresDatabaseIsUpgradedToTheCurrentSchemaOnStart() throws Exception {
        String url = TestDatabases.create();
        databases.add(url);
        // a database left by an older Tally: only the first two migrations applied, with data in it
        org.flywaydb.core.Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration")
                .target("2").load().migrate();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
                java.sql.Statement st = c.createStatement()) {
            st.execute("INSERT INTO tenants (id, name, created_at) VALUES ('default', 'Default', '2026-01-01T00:00:00Z')");
            st.execute("INSERT INTO meter_generations (tenant_id, generation) VALUES ('default', 0)");
        }
        try (Engine e = Engine.open(EngineConfig.of(dir).onPostgres(url), clock)) {
            e.createMeter(T, json.readTree("{\"key\":\"n\",\"event_type\":\"tok\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
            assertThat(send(e, event("x", "acme", "2026-11-10T10:00:00Z", 3)).accepted()).isEqualTo(1);
            assertThat(total(e, "acme")).isEqualTo("3");
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
                java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT max(split_part(version, '.', 1)::int) FROM flyway_schema_history")) {
            rs.next();
            assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(4);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void customersPlansSubscriptionsAndInvoicesArePersistedWithGaplessNumbers(TestStore store) throws Exception {
        EngineConfig config = store.config(dir, databases);
        clock.set(Instant.parse("2026-11-01T00:00:00Z"));
        try (Engine e = Engine.open(config, clock)) {
            e.createMeter(T, json.readTree("{\"key\":\"n\",\"event_type\":\"tok\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
            e.billing().createPlan(T, json.readTree("{\"key\":\"p\",\"name\":\"P\",\"currency\":\"EUR\",\"interval\":\"monthly\","
                    + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"9\",\"timing\":\"in_advance\"},"
                    + "{\"key\":\"n\",\"type\":\"usage\",\"name\":\"N\",\"meter\":\"n\",\"price\":{\"model\":\"unit\",\"unit_price\":\"0.1\"}}]}"));
            for (String c : List.of("c1", "c2", "c3")) {
                e.billing().createCustomer(T, json.readTree("{\"external_id\":\"" + c + "\",\"timezone\":\"Europe/Berlin\",\"currency\":\"EUR\"}"));
                e.billing().subscribe(T, json.readTree("{\"customer\":\"" + c + "\",\"plan\":\"p\"}"));
            }
            e.billing().setGracePeriod(T, Duration.ZERO);
            clock.set(Instant.parse("2026-11-15T00:00:00Z"));
            send(e, event("u1", "c1", "2026-11-14T00:00:00Z", 10), event("u2", "c2", "2026-11-14T00:00:00Z", 20));
        }
        clock.set(Instant.parse("2026-12-01T00:00:00Z"));
        try (Engine e = Engine.open(config, clock)) {
            e.billing().run(T);
            assertThat(e.billing().run(T).created()).isZero();
            List<Invoice> all = e.billing().invoices(T, Optional.empty(), Optional.empty(), 100);
            assertThat(all).hasSize(6);
            assertThat(all.stream().map(i -> i.number().orElseThrow()).sorted())
                    .containsExactly("INV-000001", "INV-000002", "INV-000003", "INV-000004", "INV-000005", "INV-000006");
            Invoice c1 = e.billing().invoices(T, Optional.of("c1"), Optional.empty(), 10).get(0);
            // Berlin period Nov 1 00:00 local = Oct 31 23:00 UTC; subscribed at Nov 1 00:00 UTC (Nov 1 01:00 local):
            // usage 10 x 0.1 = 1.00, plus December's in-advance fee 9.00
            assertThat(c1.totals().total().amount()).isEqualByComparingTo("10.00");
        }
    }
}

package dev.tally.engine.eventpartitions;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.IngestLimits;
import dev.tally.core.event.Json;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.ingest.IngestResult;
import dev.tally.engine.ingest.PostgresEventStore;
import dev.tally.engine.log.DedupSettings;
import dev.tally.engine.objectstore.ObjectStore;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.Window;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Engines on a PostgreSQL database of the test's own, reading archived months from a given object store. */
final class PgEngineFixture {
    static final ObjectMapper JSON = Json.newMapper();
    final String url = TestDatabases.createMigrated();
    final Path dir;
    final ObjectStore archive;
    final Duration backdating;
    final Duration dedupWindow;

    PgEngineFixture(Path dir, ObjectStore archive, Duration backdating, Duration dedupWindow) {
        this.dir = dir;
        this.archive = archive;
        this.backdating = backdating;
        this.dedupWindow = dedupWindow;
    }

    Engine open(Instant now) {
        EngineConfig base = EngineConfig.of(dir.resolve("engine")).onPostgres(url).withSecrets(TestDatabases.SECRETS);
        EngineConfig config = new EngineConfig(base.dataDir(), IngestLimits.DEFAULTS.withBackdatingWindow(backdating),
                base.bootstrapKey(), base.segmentBytes(), base.billingEvery(), base.databaseUrl(), base.webhooks(),
                base.secrets(), DedupSettings.DEFAULTS.withWindow(dedupWindow));
        return Engine.open(config, Clock.fixed(now, ZoneOffset.UTC),
                db -> new PostgresEventStore(db, new ArchivedEvents(Optional.of(archive))));
    }

    static void sumMeter(Engine e) throws Exception {
        e.createMeter(Engine.DEFAULT_TENANT, JSON.readTree(
                "{\"key\":\"n\",\"event_type\":\"t\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
    }

    /** Sends one event per (id, time, n). */
    static IngestResult send(Engine e, String customer, Object... idTimeN) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < idTimeN.length; i += 3) {
            sb.append(i == 0 ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"").append(idTimeN[i])
                    .append("\",\"source\":\"s\",\"type\":\"t\",\"subject\":\"").append(customer)
                    .append("\",\"time\":\"").append(idTimeN[i + 1]).append("\",\"data\":{\"n\":")
                    .append(idTimeN[i + 2]).append("}}");
        }
        byte[] body = sb.append("]").toString().getBytes(StandardCharsets.UTF_8);
        return e.ingest(Engine.DEFAULT_TENANT, e.eventReader().read(body, CloudEventReader.BodyShape.BATCH));
    }

    static String total(Engine e, String customer, Instant from, Instant to) {
        return e.usage(Engine.DEFAULT_TENANT, new UsageRequest("n", Optional.of(customer), from, to, Window.NONE,
                ZoneOffset.UTC, List.of(), Map.of())).get(0).value().toPlainString();
    }

    long queryLong(String sql) {
        return TestDatabases.queryLong(url, sql);
    }

    void exec(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    void drop() {
        TestDatabases.drop(url);
    }
}

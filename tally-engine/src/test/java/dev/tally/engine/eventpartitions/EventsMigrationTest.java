package dev.tally.engine.eventpartitions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.engine.Engine;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.objectstore.DirectoryObjectStore;
import dev.tally.engine.store.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A database from before V38 (one unpartitioned events table) keeps every event, id and cancel. */
class EventsMigrationTest {
    @TempDir
    Path dir;

    @Test
    void anUnpartitionedEventsTableIsMigratedWithItsRowsIdsAndCancels() throws Exception {
        PgEngineFixture source = new PgEngineFixture(dir, new DirectoryObjectStore(dir.resolve("archive")),
                Duration.ofDays(35), Duration.ofDays(36));
        String old = TestDatabases.create();
        try {
            try (Engine e = source.open(Instant.parse("2026-11-20T12:00:00Z"))) {
                PgEngineFixture.sumMeter(e);
                PgEngineFixture.send(e, "c1", "a", "2026-10-20T10:00:00Z", 5, "b", "2026-10-21T10:00:00Z", 7,
                        "c", "2026-11-19T10:00:00Z", 11);
                e.cancel(Engine.DEFAULT_TENANT, "s", "b");
            }
            org.flywaydb.core.Flyway.configure().dataSource(old, null, null)
                    .locations("classpath:db/migration", "classpath:db/vendor/postgresql").target("30.1").load()
                    .migrate();
            try (Connection from = DriverManager.getConnection(source.url);
                    Connection to = DriverManager.getConnection(old);
                    Statement s = from.createStatement();
                    ResultSet rs = s.executeQuery("SELECT seq, tenant_id, source, event_id, kind, record FROM events "
                            + "ORDER BY seq");
                    PreparedStatement ins = to.prepareStatement("INSERT INTO events (seq, tenant_id, source, "
                            + "event_id, kind, record) VALUES (?, ?, ?, ?, ?, ?)")) {
                while (rs.next()) {
                    for (int i = 1; i <= 6; i++) {
                        ins.setObject(i, rs.getObject(i));
                    }
                    ins.executeUpdate();
                }
                to.createStatement().execute("SELECT setval('events_seq_seq', (SELECT max(seq) FROM events))");
            }
            Database.postgres(old).close(); // migrates to the current schema
            assertThat(TestDatabases.queryLong(old, "SELECT count(*) FROM events")).isEqualTo(4);
            assertThat(TestDatabases.queryLong(old, "SELECT count(*) FROM events_p2026_10")).isEqualTo(3);
            assertThat(TestDatabases.queryLong(old, "SELECT count(*) FROM events_p2026_11")).isEqualTo(1);
            assertThat(TestDatabases.queryLong(old, "SELECT count(*) FROM events WHERE event_id = 'b' AND kind = 2 "
                    + "AND event_time = '2026-10-21T10:00:00Z'")).isEqualTo(1); // the cancel lives with its event
            assertThat(TestDatabases.queryLong(old, "SELECT count(*) FROM events WHERE event_id = 'a' AND kind = 1 "
                    + "AND event_time = '2026-10-20T10:00:00Z'")).isEqualTo(1);
            assertThat(TestDatabases.queryLong(old, "SELECT count(*) FROM event_ids WHERE arrival_day = '2026-11-20'"))
                    .isEqualTo(3);
            assertThat(TestDatabases.queryLong(old, "SELECT count(*) FROM event_cancels")).isEqualTo(1);
            assertThat(TestDatabases.queryLong(old, "SELECT nextval('events_seq_seq') - (SELECT max(seq) FROM events)"))
                    .isEqualTo(1);
            assertThat(TestDatabases.queryLong(old, "SELECT count(*) FROM pg_class WHERE relname = "
                    + "'events_unpartitioned'")).isZero();
        } finally {
            TestDatabases.drop(old);
            source.drop();
        }
    }
}

package dev.tally.engine.eventpartitions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.engine.Engine;
import dev.tally.engine.ingest.EventQuery;
import dev.tally.engine.ingest.PostgresEventStore;
import dev.tally.engine.objectstore.DirectoryObjectStore;
import dev.tally.engine.store.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention on PostgreSQL: October leaves the database (detached, archived, dropped) and is still counted, listed
 * and reconciled from the archive; a crash after the detach or after the export is finished by the next run.
 */
class PartitionRetentionTest {
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final Instant LATER = Instant.parse("2027-06-01T00:00:00Z");
    static final Instant FLOOR = Instant.parse("2026-11-01T00:00:00Z"); // October may leave, November stays
    static final Instant FROM = Instant.parse("2026-10-01T00:00:00Z");
    static final Instant TO = Instant.parse("2026-12-01T00:00:00Z");
    static final String OCTOBER_KEY = "pg-events/2026/events_p2026_10.tev.gz";

    @TempDir
    Path dir;
    DirectoryObjectStore archive;
    PgEngineFixture pg;
    Database db;

    @BeforeEach
    void setUp() throws Exception {
        archive = new DirectoryObjectStore(dir.resolve("archive"));
        pg = new PgEngineFixture(dir, archive, Duration.ofDays(35), Duration.ofDays(36));
        try (Engine e = pg.open(NOW)) {
            PgEngineFixture.sumMeter(e);
            assertThat(PgEngineFixture.send(e, "c1", "a", "2026-10-20T10:00:00Z", 5, "b", "2026-10-21T10:00:00Z", 7,
                    "c", "2026-11-19T10:00:00Z", 11).accepted()).isEqualTo(3);
            e.cancel(Engine.DEFAULT_TENANT, "s", "b");
            assertThat(PgEngineFixture.total(e, "c1", FROM, TO)).isEqualTo("16");
        }
        db = Database.postgres(pg.url);
    }

    @AfterEach
    void tearDown() {
        if (db != null) {
            db.close();
        }
        pg.drop();
    }

    PartitionRetention retention(PartitionRetention.Crash crash) {
        return new PartitionRetention(db, new PartitionSettings(Optional.of(Duration.ofDays(30)),
                Optional.of(archive), Duration.ofHours(1)), () -> FLOOR, Clock.fixed(LATER, ZoneOffset.UTC), crash);
    }

    void deleteCheckpoint() throws Exception {
        Files.deleteIfExists(dir.resolve("engine").resolve("checkpoint.bin"));
    }

    void assertOctoberArchivedOnce() {
        assertThat(pg.queryLong("SELECT count(*) FROM events WHERE event_time < '2026-11-01'")).isZero();
        assertThat(pg.queryLong("SELECT count(*) FROM events")).isEqualTo(1); // November's event
        assertThat(pg.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'events_p2026_10'")).isZero();
        assertThat(pg.queryLong("SELECT row_count FROM archived_event_partitions WHERE partition_name = "
                + "'events_p2026_10' AND state = 'archived' AND object_key = '" + OCTOBER_KEY + "'"))
                .isEqualTo(3); // a, b and the cancel of b (which lives with its event)
        assertThat(archive.list("pg-events/")).extracting(o -> o.key()).containsExactly(OCTOBER_KEY);
    }

    void assertStillCountedListedAndReconciled() throws Exception {
        deleteCheckpoint(); // the whole log is replayed: October comes from the archive
        try (Engine e = pg.open(LATER)) {
            assertThat(PgEngineFixture.total(e, "c1", FROM, TO)).isEqualTo("16");
            assertThat(e.events(Engine.DEFAULT_TENANT, new EventQuery(Optional.of("c1"), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), 100)).events())
                    .extracting(s -> s.event().id() + (s.cancelled() ? "-cancelled" : ""))
                    .containsExactlyInAnyOrder("a", "b-cancelled", "c");
            assertThat(e.events(Engine.DEFAULT_TENANT, new EventQuery(Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), 100)).events()).hasSize(3);
            var r = e.reconcile(Engine.DEFAULT_TENANT, FROM, TO);
            assertThat(r.differences()).isEmpty();
            assertThat(r.eventsScanned()).isEqualTo(2); // a and c; b is cancelled
        }
    }

    @Test
    void aMonthPastTheFloorLeavesTheDatabaseAndIsStillCountedListedAndReconciled() throws Exception {
        assertThat(retention(PartitionRetention.Crash.NONE).run()).contains("events_p2026_10")
                .doesNotContain("events_p2026_11");
        assertOctoberArchivedOnce();
        assertStillCountedListedAndReconciled();
        assertThat(retention(PartitionRetention.Crash.NONE).run()).isEmpty(); // nothing left to do
        assertOctoberArchivedOnce();
    }

    @Test
    void nothingLeavesWhileTheFloorIsBeforeTheMonthEnds() {
        PartitionRetention early = new PartitionRetention(db, new PartitionSettings(Optional.of(Duration.ofDays(30)),
                Optional.of(archive), Duration.ofHours(1)), () -> Instant.parse("2026-10-31T23:00:00Z"),
                Clock.fixed(LATER, ZoneOffset.UTC));
        assertThat(early.run()).doesNotContain("events_p2026_10");
        assertThat(pg.queryLong("SELECT count(*) FROM events")).isEqualTo(4);
        assertThat(archive.list("pg-events/")).isEmpty();
    }

    @Test
    void retentionOffByDefaultArchivesNothing() {
        assertThat(new PartitionRetention(db, PartitionSettings.fromEnvironment(java.util.Map.of()), () -> LATER,
                Clock.fixed(LATER, ZoneOffset.UTC)).run()).isEmpty();
        assertThat(pg.queryLong("SELECT count(*) FROM events")).isEqualTo(4);
    }

    @Test
    void aCrashAfterTheDetachIsFinishedByTheNextRunAndTheRowsStayReadableMeanwhile() throws Exception {
        assertThatThrownBy(() -> retention(step -> {
            if (step.equals("detach")) {
                throw new IllegalStateException("crash after " + step);
            }
        }).run()).hasMessageContaining("crash after detach");
        assertThat(pg.queryLong("SELECT count(*) FROM archived_event_partitions WHERE state = 'detached'"))
                .isEqualTo(1);
        assertThat(pg.queryLong("SELECT count(*) FROM events_p2026_10")).isEqualTo(3); // detached, not lost
        assertThat(archive.list("pg-events/")).isEmpty();
        deleteCheckpoint();
        try (Engine e = pg.open(LATER)) { // the detached table is read like the archive
            assertThat(PgEngineFixture.total(e, "c1", FROM, TO)).isEqualTo("16");
            assertThat(e.reconcile(Engine.DEFAULT_TENANT, FROM, TO).differences()).isEmpty();
        }
        assertThat(retention(PartitionRetention.Crash.NONE).run()).contains("events_p2026_10");
        assertOctoberArchivedOnce();
        assertStillCountedListedAndReconciled();
    }

    @Test
    void aCrashAfterTheExportBeforeTheDropIsFinishedByTheNextRunWithOneObject() throws Exception {
        assertThatThrownBy(() -> retention(step -> {
            if (step.equals("verify")) {
                throw new IllegalStateException("crash after " + step);
            }
        }).run()).hasMessageContaining("crash after verify");
        assertThat(archive.list("pg-events/")).hasSize(1);
        assertThat(pg.queryLong("SELECT count(*) FROM events_p2026_10")).isEqualTo(3);
        assertThat(retention(PartitionRetention.Crash.NONE).run()).contains("events_p2026_10");
        assertOctoberArchivedOnce();
        assertStillCountedListedAndReconciled();
    }

    @Test
    void aProcessWithoutTheArchiveSaysWhereTheRangeIsInsteadOfMiscounting() throws Exception {
        retention(PartitionRetention.Crash.NONE).run();
        try (Engine e = pg.open(LATER)) { // writes a checkpoint at close, with October's usage in it
            assertThat(PgEngineFixture.total(e, "c1", FROM, TO)).isEqualTo("16");
        }
        var config = dev.tally.engine.EngineConfig.of(dir.resolve("engine")).onPostgres(pg.url)
                .withSecrets(dev.tally.engine.TestDatabases.SECRETS);
        try (Engine e = Engine.open(config, Clock.fixed(LATER, ZoneOffset.UTC),
                d -> new PostgresEventStore(d, new ArchivedEvents(Optional.empty())))) {
            assertThat(PgEngineFixture.total(e, "c1", FROM, TO)).isEqualTo("16"); // from the checkpoint
            assertThatThrownBy(() -> e.reconcile(Engine.DEFAULT_TENANT, FROM, TO))
                    .hasStackTraceContaining(OCTOBER_KEY).hasStackTraceContaining("TALLY_ARCHIVE_DIR");
        }
    }
}

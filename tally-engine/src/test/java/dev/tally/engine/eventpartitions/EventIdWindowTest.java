package dev.tally.engine.eventpartitions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.event.RejectionReason;
import dev.tally.engine.Engine;
import dev.tally.engine.ingest.IngestResult;
import dev.tally.engine.objectstore.DirectoryObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exact duplicate decision on PostgreSQL is kept for the dedup window (event_ids, one partition per arrival
 * day) and released after it: an id re-sent after its day was dropped is too old, never counted twice.
 */
class EventIdWindowTest {
    static final Instant START = Instant.parse("2026-11-20T12:00:00Z");
    static final String TIME = START.minusSeconds(600).toString();

    @TempDir
    Path dir;
    PgEngineFixture pg;

    @AfterEach
    void tearDown() {
        pg.drop();
    }

    @Test
    void anIdIsADuplicateInsideTheWindowAndTooOldAfterItsDayWasDroppedNeverCountedTwice() throws Exception {
        pg = new PgEngineFixture(dir, new DirectoryObjectStore(dir.resolve("archive")), Duration.ofHours(1),
                Duration.ofHours(2));
        try (Engine e = pg.open(START)) {
            PgEngineFixture.sumMeter(e);
            IngestResult r = PgEngineFixture.send(e, "c1", "e1", TIME, 5, "e2", TIME, 7, "e1", TIME, 5);
            assertThat(r.accepted()).isEqualTo(2);
            assertThat(r.duplicates()).isEqualTo(1); // within one batch
            assertThat(PgEngineFixture.send(e, "c1", "e1", TIME, 5).duplicates()).isEqualTo(1);
        }
        assertThat(pg.queryLong("SELECT count(*) FROM event_ids_p2026_11_20")).isEqualTo(2);
        try (Engine e = pg.open(START.plusSeconds(40 * 60))) { // another start, inside the window
            assertThat(PgEngineFixture.send(e, "c1", "e1", TIME, 5).duplicates()).isEqualTo(1);
            assertThat(PgEngineFixture.total(e, "c1", START.minusSeconds(3600), START.plusSeconds(3600)))
                    .isEqualTo("12");
        }
        try (Engine e = pg.open(START.plus(Duration.ofDays(3)))) { // the day of e1 is past the window: dropped
            assertThat(pg.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'event_ids_p2026_11_20'"))
                    .isZero();
            assertThat(pg.queryLong("SELECT count(*) FROM event_ids WHERE event_id = 'e1'")).isZero();
            IngestResult r = PgEngineFixture.send(e, "c1", "e1", TIME, 5);
            assertThat(r.accepted()).isZero();
            assertThat(r.results()).allSatisfy(x -> assertThat(x.reason()).contains(RejectionReason.TOO_OLD));
            assertThat(PgEngineFixture.total(e, "c1", START.minusSeconds(3600), START.plusSeconds(3600)))
                    .isEqualTo("12");
            assertThat(pg.queryLong("SELECT count(*) FROM events WHERE kind = 1")).isEqualTo(2);
        }
    }

    @Test
    void idsArrivingOnADayWithoutItsPartitionLandInTheDefaultAndAreStillExact() throws Exception {
        pg = new PgEngineFixture(dir, new DirectoryObjectStore(dir.resolve("archive")), Duration.ofHours(1),
                Duration.ofHours(2));
        try (Engine e = pg.open(START)) {
            PgEngineFixture.sumMeter(e);
        }
        try (Engine e = pg.open(START)) {
            pg.exec("DROP TABLE event_ids_p2026_11_20"); // as if maintenance had not run yet
            assertThat(PgEngineFixture.send(e, "c1", "e1", TIME, 5).accepted()).isEqualTo(1);
            assertThat(PgEngineFixture.send(e, "c1", "e1", TIME, 5).duplicates()).isEqualTo(1);
        }
        assertThat(pg.queryLong("SELECT count(*) FROM event_ids_default")).isEqualTo(1);
    }
}

package dev.tally.engine.eventpartitions;

import dev.tally.engine.objectstore.ObjectInfo;
import dev.tally.engine.objectstore.ObjectStore;
import dev.tally.engine.objectstore.Sha256;
import dev.tally.engine.store.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves months of events out of PostgreSQL once they end before both the {@link RetentionFloor} and now minus the
 * configured retention. Per month: (1) in one transaction, record it in {@code archived_event_partitions} as
 * {@code detached} and {@code ALTER TABLE events DETACH PARTITION} (a plain detach: PostgreSQL refuses {@code
 * CONCURRENTLY} while a default partition exists; it waits at most 10 s for its lock, else the next run retries);
 * (2) export the detached table's rows in seq order to one object (its key fixed by the month, so a re-run replaces
 * rather than adds), written atomically by the object store; (3) fetch it back and check its SHA-256, rows and seq
 * range against the table; (4) in one transaction, mark the month {@code archived} with checksum, row count and seq
 * range, and {@code DROP} the detached table. Never a {@code DELETE} of live rows. A crash anywhere is finished by the
 * next run (a {@code detached} month is exported again), with nothing lost and one object per month. Runs under a
 * database-wide lock, so one process at a time does it. The default partition is never archived.
 */
public final class PartitionRetention {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionRetention.class);

    /** Where a test stops the job to play a crash (after the named step). */
    interface Crash {
        Crash NONE = step -> { };

        void after(String step);
    }

    private final Database db;
    private final PartitionSettings settings;
    private final RetentionFloor floor;
    private final Clock clock;
    private final Crash crash;

    public PartitionRetention(Database db, PartitionSettings settings, RetentionFloor floor, Clock clock) {
        this(db, settings, floor, clock, Crash.NONE);
    }

    PartitionRetention(Database db, PartitionSettings settings, RetentionFloor floor, Clock clock, Crash crash) {
        if (!db.isPostgres()) {
            throw new IllegalArgumentException("event partition retention runs on PostgreSQL only");
        }
        this.db = db;
        this.settings = settings;
        this.floor = floor;
        this.clock = clock;
        this.crash = crash;
    }

    /** The months it archived in this run (including ones a crashed run had detached). */
    public List<String> run() {
        if (!settings.enabled()) {
            return List.of();
        }
        return db.withLock("event-partition-retention", this::runLocked);
    }

    private List<String> runLocked() {
        ObjectStore store = settings.target().orElseThrow();
        Instant cutoff = cutoff();
        List<String> done = new ArrayList<>();
        try (Connection c = db.connection()) {
            for (CatalogEntry e : PartitionCatalog.all(c)) {
                if (!e.archived()) {
                    finish(c, store, e.partitionName(), e.objectKey());
                    done.add(e.partitionName());
                }
            }
            for (String name : EventPartitions.children(c, "events")) {
                Optional<YearMonth> month = PartitionNames.parseEvents(name);
                if (month.isEmpty() || PartitionNames.end(month.get()).isAfter(cutoff)) {
                    continue;
                }
                String key = PartitionNames.objectKey(month.get());
                if (!detach(c, name, month.get(), key)) {
                    continue;
                }
                crash.after("detach");
                finish(c, store, name, key);
                done.add(name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("event partition retention failed; the next run retries", e);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("event partition export failed; the next run retries", e);
        }
        return done;
    }

    /** The instant months must end before: the earlier of the floor and now minus the retention. */
    Instant cutoff() {
        Instant byRetention = clock.instant().minus(settings.retention().orElseThrow());
        Instant f = floor.floor();
        return f.isBefore(byRetention) ? f : byRetention;
    }

    private static boolean detach(Connection c, String name, YearMonth m, String key) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL lock_timeout = '10s'");
            PartitionCatalog.detached(c, name, PartitionNames.start(m), PartitionNames.end(m), key);
            s.execute("ALTER TABLE events DETACH PARTITION " + name);
            c.commit();
            return true;
        } catch (SQLException e) {
            c.rollback();
            LOG.warn("could not detach {} ({}); the next run retries", name, e.getSQLState());
            return false;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private void finish(Connection c, ObjectStore store, String name, String key) throws SQLException, IOException {
        Path dir = Files.createTempDirectory("tally-partition-export");
        try {
            Path out = dir.resolve(name + ".tev.gz");
            PartitionFile.Summary exported = export(c, name, out);
            crash.after("export");
            ObjectInfo put = store.put(key, out);
            crash.after("put");
            Path back = dir.resolve(name + ".back.gz");
            Optional<ObjectInfo> got = store.get(key, back);
            if (got.isEmpty() || !got.get().sha256().equals(Sha256.of(out))
                    || !PartitionFile.verify(back).equals(exported)) {
                throw new IOException("the archived object " + key + " does not read back as written");
            }
            crash.after("verify");
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                PartitionCatalog.archived(c, name, put.sha256(), exported, clock.instant());
                s.execute("DROP TABLE " + name);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
            LOG.info("archived event partition {}: {} rows to {} in {}", name, exported.rows(), key,
                    store.describe());
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Writes the detached table's rows in seq order and checks the count against the table's own. */
    private static PartitionFile.Summary export(Connection c, String name, Path out) throws SQLException,
            IOException {
        c.setAutoCommit(false); // a cursor (fetch size) needs a transaction
        try (PartitionFile.Writer w = new PartitionFile.Writer(out);
                PreparedStatement ps = c.prepareStatement("SELECT seq, (extract(epoch FROM event_time) * 1000000)"
                        + "::BIGINT, record FROM " + name + " ORDER BY seq")) {
            ps.setFetchSize(5000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    w.add(new PartitionFile.Row(rs.getLong(1), rs.getLong(2), rs.getBytes(3)));
                }
            }
            PartitionFile.Summary s = w.finish();
            long counted;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + name)) {
                rs.next();
                counted = rs.getLong(1);
            }
            if (counted != s.rows()) {
                throw new IOException("exported " + s.rows() + " rows of " + name + ", the table holds " + counted);
            }
            return s;
        } finally {
            c.commit();
            c.setAutoCommit(true);
        }
    }
}

package dev.tally.engine.eventpartitions;

import dev.tally.engine.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the partitions of {@code events} and {@code event_ids} in shape. {@link #maintain} creates the month
 * partitions from the start of the backdating window to two months ahead (never a month already archived) and the
 * id spans from yesterday to three days ahead, then drops every id span that ended before now minus the dedup window
 * (and clears such ids from the default partition). Safe to run from several processes at once and repeatedly; a
 * month that cannot be created (the default partition already holds rows of its range) is left to the default
 * partition and logged; an id span whose ids are in the default partition is created with them moved in (under the
 * writer lock). Id partitions span as many days as the dedup window (at least one), so a writer's check probes two
 * or three partitions, and an id is kept between one and two windows. Partitioning is PostgreSQL-only; call it only on a PostgreSQL database.
 */
public final class EventPartitions {
    private static final Logger LOG = LoggerFactory.getLogger(EventPartitions.class);
    private static final int MONTHS_AHEAD = 2;
    private static final int DAYS_AHEAD = 3;

    private final Database db;
    private final Duration backdating;
    private final Duration dedupWindow;
    private final Clock clock;

    public EventPartitions(Database db, Duration backdating, Duration dedupWindow, Clock clock) {
        if (!db.isPostgres()) {
            throw new IllegalArgumentException("event partitions exist on PostgreSQL only");
        }
        this.db = db;
        this.backdating = backdating;
        this.dedupWindow = dedupWindow;
        this.clock = clock;
    }

    /** Creates what is missing ahead and drops id spans past the window; returns the first days of those dropped. */
    public List<LocalDate> maintain() {
        Instant now = clock.instant();
        try (Connection c = db.connection()) {
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("SET lock_timeout = '10s'");
            }
            Set<String> archived = archivedMonths(c);
            YearMonth first = PartitionNames.monthOf(now.minus(backdating));
            YearMonth last = PartitionNames.monthOf(now).plusMonths(MONTHS_AHEAD);
            for (YearMonth m = first; !m.isAfter(last); m = m.plusMonths(1)) {
                if (!archived.contains(PartitionNames.events(m))) {
                    create(c, PartitionNames.events(m), "events", PartitionNames.start(m).toString(),
                            PartitionNames.end(m).toString());
                }
            }
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            for (LocalDate d = spanStart(today.minusDays(1)); !d.isAfter(today.plusDays(DAYS_AHEAD));
                    d = d.plusDays(spanDays())) {
                createIds(c, d, d.plusDays(spanDays()));
            }
            return dropIdsBefore(c, now.minus(dedupWindow));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot maintain the event partitions", e);
        }
    }

    /** Days per id partition: the dedup window, rounded up to whole days. */
    long spanDays() {
        long days = (dedupWindow.toHours() + 23) / 24;
        return Math.max(1, days);
    }

    /** The first day of the id span holding {@code day} (spans are aligned on the epoch). */
    LocalDate spanStart(LocalDate day) {
        return LocalDate.ofEpochDay(Math.floorDiv(day.toEpochDay(), spanDays()) * spanDays());
    }

    /** Creates an id span; ids of its range already in the default partition are moved into it first. */
    private static void createIds(Connection c, LocalDate from, LocalDate to) throws SQLException {
        String name = PartitionNames.ids(from);
        if (exists(c, name)) {
            return;
        }
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL lock_timeout = '10s'");
            s.execute("SELECT pg_advisory_xact_lock(" + dev.tally.engine.ingest.PostgresEventStore.WRITER_LOCK + ")");
            if (!exists(c, name)) {
                String range = "arrival_day >= '" + from + "' AND arrival_day < '" + to + "'";
                s.execute("CREATE TABLE " + name + " (LIKE event_ids INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
                s.execute("INSERT INTO " + name + " SELECT * FROM event_ids_default WHERE " + range);
                s.execute("DELETE FROM event_ids_default WHERE " + range); // ids, not events: moved above
                s.execute("ALTER TABLE event_ids ATTACH PARTITION " + name + " FOR VALUES FROM ('" + from
                        + "') TO ('" + to + "')");
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            LOG.warn("id partition {} not created ({}); its ids stay in the default partition", name,
                    e.getSQLState());
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static void create(Connection c, String name, String parent, String from, String to) {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + name + " PARTITION OF " + parent + " FOR VALUES FROM ('" + from
                    + "') TO ('" + to + "')");
        } catch (SQLException e) {
            // another process created it meanwhile, or the default partition holds rows of this range
            LOG.warn("partition {} of {} not created ({}); its rows stay in the default partition", name, parent,
                    e.getSQLState());
        }
    }

    /** Drops id spans wholly before {@code cutoff}: their ids can only come back as too old. */
    private List<LocalDate> dropIdsBefore(Connection c, Instant cutoff) throws SQLException {
        List<LocalDate> dropped = new ArrayList<>();
        for (String name : children(c, "event_ids")) {
            var day = PartitionNames.parseIds(name);
            if (day.isPresent() && !end(c, name).atStartOfDay().toInstant(ZoneOffset.UTC).isAfter(cutoff)) {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP TABLE IF EXISTS " + name);
                    dropped.add(day.get());
                } catch (SQLException e) {
                    LOG.warn("id partition {} not dropped yet ({}); the next run retries", name, e.getSQLState());
                }
            }
        }
        LocalDate cutoffDay = LocalDate.ofInstant(cutoff, ZoneOffset.UTC);
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM event_ids_default WHERE arrival_day < ?")) {
            ps.setObject(1, cutoffDay);
            ps.executeUpdate();
        }
        return dropped;
    }

    /** The end (exclusive) of an id partition's range, as PostgreSQL holds it. */
    private static LocalDate end(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT substring(pg_get_expr(relpartbound, oid) "
                + "FROM 'TO \\(''([0-9-]+)''\\)') FROM pg_class WHERE relname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return LocalDate.parse(rs.getString(1));
            }
        }
    }

    /** The partitions of a table, by name. */
    static List<String> children(Connection c, String parent) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT inhrelid::regclass::text FROM pg_inherits "
                + "WHERE inhparent = ?::regclass ORDER BY 1")) {
            ps.setString(1, parent);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static Set<String> archivedMonths(Connection c) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT partition_name FROM archived_event_partitions")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}

package dev.tally.engine.eventpartitions;

import dev.tally.engine.log.RecordVisitor;
import dev.tally.engine.objectstore.ObjectInfo;
import dev.tally.engine.objectstore.ObjectStore;
import dev.tally.engine.objectstore.ObjectStoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * Reads the whole event log by position on PostgreSQL, archived months included: a scan merges, in seq order, the
 * live {@code events} table, months detached but not yet archived (their tables) and archived months fetched back
 * from the object store (checked against the catalog's SHA-256, unpacked into a local cache of a few months). A
 * scan holds {@code events} and the catalog rows it relies on for its transaction, so a month being detached or
 * dropped meanwhile is seen exactly once. When an archived month is needed and cannot be fetched, the read throws
 * {@link ArchivedRangeUnavailableException} naming the month and its object key; nothing is silently skipped.
 */
public final class ArchivedEvents implements AutoCloseable {
    private static final int CACHED_MONTHS = 4;

    private final Optional<ObjectStore> store;
    private Path cacheDir; // created on the first fetch
    private final Map<String, ArchivedFile> cache = new LinkedHashMap<>(8, 0.75f, true);

    /** Reads archived months from {@code store} (none: archived months are reported, not read). */
    public ArchivedEvents(Optional<ObjectStore> store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** The highest position any archived or detached month holds (0 when none). */
    public long maxSeq(Connection c) throws SQLException {
        long max = 0;
        for (CatalogEntry e : PartitionCatalog.all(c)) {
            if (e.archived()) {
                max = Math.max(max, e.maxSeq());
            } else {
                max = Math.max(max, queryLong(c, "SELECT coalesce(max(seq), 0) FROM " + e.partitionName()));
            }
        }
        return max;
    }

    /**
     * Visits the records with {@code from <= seq <= to} in seq order, from every place they may be; call in a
     * transaction on {@code c}. Stops when the visitor returns false.
     */
    public void scan(Connection c, long from, long to, RecordVisitor visitor) throws SQLException {
        List<CatalogEntry> entries = lockCatalog(c);
        List<Source> sources = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(liveSql(entries))) {
            ps.setFetchSize(5000);
            int p = 1;
            for (int i = 0; i <= detachedCount(entries); i++) {
                ps.setLong(p++, from);
                ps.setLong(p++, to);
            }
            try (ResultSet rs = ps.executeQuery()) {
                sources.add(new Live(rs));
                for (CatalogEntry e : entries) {
                    if (e.archived() && e.rows() > 0 && e.maxSeq() >= from && e.minSeq() <= to) {
                        sources.add(new Archived(file(e).cursor(from), to));
                    }
                }
                merge(sources, visitor);
            } finally {
                for (Source s : sources) {
                    s.close();
                }
            }
        } catch (IOException e) {
            throw new ArchivedRangeUnavailableException("an archived event month could not be read back", e);
        }
    }

    /** The record at {@code seq} among detached and archived months (call after {@code events} had none). */
    public Optional<byte[]> read(Connection c, long seq) throws SQLException {
        for (CatalogEntry e : lockCatalog(c)) {
            if (!e.archived()) {
                try (PreparedStatement ps = c.prepareStatement("SELECT record FROM " + e.partitionName()
                        + " WHERE seq = ?")) {
                    ps.setLong(1, seq);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            return Optional.of(rs.getBytes(1));
                        }
                    }
                }
            } else if (e.rows() > 0 && e.minSeq() <= seq && seq <= e.maxSeq()) {
                try {
                    Optional<byte[]> r = file(e).read(seq);
                    if (r.isPresent()) {
                        return r;
                    }
                } catch (IOException ex) {
                    throw new ArchivedRangeUnavailableException("archived events " + describe(e)
                            + " could not be read back", ex);
                }
            }
        }
        return Optional.empty();
    }

    /** Takes {@code events} and the catalog rows for this transaction: no detach or drop while it reads. */
    private static List<CatalogEntry> lockCatalog(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE events IN ACCESS SHARE MODE");
            s.execute("SELECT 1 FROM archived_event_partitions FOR SHARE");
        }
        return PartitionCatalog.all(c);
    }

    private static int detachedCount(List<CatalogEntry> entries) {
        return (int) entries.stream().filter(e -> !e.archived()).count();
    }

    private static String liveSql(List<CatalogEntry> entries) {
        StringBuilder sql = new StringBuilder("SELECT seq, record FROM events WHERE seq >= ? AND seq <= ?");
        for (CatalogEntry e : entries) {
            if (!e.archived()) {
                sql.append(" UNION ALL SELECT seq, record FROM ").append(e.partitionName())
                        .append(" WHERE seq >= ? AND seq <= ?");
            }
        }
        return sql.append(" ORDER BY seq").toString();
    }

    private static void merge(List<Source> sources, RecordVisitor visitor) throws SQLException, IOException {
        PriorityQueue<Source> heads = new PriorityQueue<>((a, b) -> Long.compare(a.seq(), b.seq()));
        for (Source s : sources) {
            if (s.advance()) {
                heads.add(s);
            }
        }
        while (!heads.isEmpty()) {
            Source s = heads.poll();
            if (!visitor.visit(s.seq(), s.record())) {
                return;
            }
            if (s.advance()) {
                heads.add(s);
            }
        }
    }

    private ArchivedFile file(CatalogEntry e) throws IOException {
        synchronized (cache) {
            ArchivedFile cached = cache.get(e.partitionName());
            if (cached != null) {
                return cached;
            }
            ObjectStore s = store.orElseThrow(() -> new ArchivedRangeUnavailableException("events " + describe(e)
                    + " are archived and no archive target is configured here (TALLY_ARCHIVE_DIR) to read them"));
            if (cacheDir == null) {
                cacheDir = Files.createTempDirectory("tally-archived-events");
            }
            Path gz = cacheDir.resolve(e.partitionName() + ".gz");
            Optional<ObjectInfo> got;
            try {
                got = s.get(e.objectKey(), gz);
            } catch (ObjectStoreException ex) {
                throw new ArchivedRangeUnavailableException("events " + describe(e) + " could not be fetched from "
                        + s.describe(), ex);
            }
            if (got.isEmpty() || !got.get().sha256().equals(e.sha256())) {
                Files.deleteIfExists(gz);
                throw new ArchivedRangeUnavailableException("events " + describe(e) + " are "
                        + (got.isEmpty() ? "missing from " : "damaged in ") + s.describe());
            }
            ArchivedFile f = ArchivedFile.unpack(gz, cacheDir.resolve(e.partitionName() + ".rows"));
            Files.deleteIfExists(gz);
            cache.put(e.partitionName(), f);
            if (cache.size() > CACHED_MONTHS) {
                var eldest = cache.entrySet().iterator().next();
                eldest.getValue().close();
                cache.remove(eldest.getKey());
            }
            return f;
        }
    }

    static String describe(CatalogEntry e) {
        return "from " + e.from() + " to " + e.to() + " (object " + e.objectKey() + ")";
    }

    private static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private interface Source extends AutoCloseable {
        boolean advance() throws SQLException, IOException;

        long seq();

        byte[] record();

        @Override
        void close() throws IOException;
    }

    private static final class Live implements Source {
        private final ResultSet rs;

        Live(ResultSet rs) {
            this.rs = rs;
        }

        @Override
        public boolean advance() throws SQLException {
            return rs.next();
        }

        @Override
        public long seq() {
            try {
                return rs.getLong(1);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public byte[] record() {
            try {
                return rs.getBytes(2);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
        }
    }

    private static final class Archived implements Source {
        private final ArchivedFile.Cursor cursor;
        private final long to;

        Archived(ArchivedFile.Cursor cursor, long to) {
            this.cursor = cursor;
            this.to = to;
        }

        @Override
        public boolean advance() throws IOException {
            return cursor.next() && cursor.seq() <= to;
        }

        @Override
        public long seq() {
            return cursor.seq();
        }

        @Override
        public byte[] record() {
            return cursor.record();
        }

        @Override
        public void close() throws IOException {
            cursor.close();
        }
    }

    @Override
    public void close() {
        synchronized (cache) {
            for (ArchivedFile f : cache.values()) {
                try {
                    f.close();
                } catch (IOException ignored) {
                    // a temporary file; the directory goes below
                }
            }
            cache.clear();
            if (cacheDir == null) {
                return;
            }
        }
        try (var files = Files.list(cacheDir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(cacheDir);
        } catch (IOException ignored) {
            // temporary files only
        }
    }
}

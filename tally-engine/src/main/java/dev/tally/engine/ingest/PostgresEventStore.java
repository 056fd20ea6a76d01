package dev.tally.engine.ingest;

import dev.tally.engine.eventpartitions.ArchivedEvents;
import dev.tally.engine.eventpartitions.PartitionSettings;
import dev.tally.engine.log.RecordVisitor;
import dev.tally.engine.store.Database;
import java.io.DataInput;
import java.io.DataOutput;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Raw events in PostgreSQL, shared by every Tally process on the database.
 * A group commit is one transaction: take the event-writer advisory lock (so
 * positions, the {@code seq} column, are assigned in commit order), read what
 * other processes stored since this one last looked, look the batch's ids up in
 * {@code event_ids} (every arrival day still kept: the dedup window), insert the
 * new ids there and the new events with multi-row {@code INSERT ... RETURNING}
 * (records travel as binary parameters), commit. Every writer holds the lock, so
 * the check-then-insert decides duplicates exactly, across processes.
 * {@code events} is partitioned by month of event time (see
 * {@link dev.tally.engine.eventpartitions}); months archived out of it are read
 * back by {@link #scan} and {@link #read} through {@link ArchivedEvents}.
 * A failed transaction stores nothing; a commit whose answer was lost is
 * found by the next read of the tail, and the client's retry is a duplicate.
 */
public final class PostgresEventStore implements EventStore {
    /** The transaction advisory lock every writer of {@code events} and {@code event_ids} holds. */
    public static final long WRITER_LOCK = 0x54414c5945L;
    private static final int CACHE = 100_000;

    private final Database db;
    private volatile long lastSeen;
    private volatile boolean healthy = true;
    private long remembered;
    private final Map<Long, byte[]> cache = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
                    return size() > CACHE;
                }
            });

    private final ArchivedEvents archived;

    /** A store reading archived months from the archive target the environment names ({@code TALLY_ARCHIVE_DIR}). */
    public PostgresEventStore(Database db) {
        this(db, new ArchivedEvents(PartitionSettings.fromEnvironment(System.getenv()).target()));
    }

    /** A store reading archived months through {@code archived} (which it closes). */
    public PostgresEventStore(Database db, ArchivedEvents archived) {
        this.db = db;
        this.archived = archived;
    }

    @Override
    public Appended appendNew(List<Candidate> candidates) {
        return appendNew(candidates, c -> { });
    }

    /** Extra work a caller does in the append's transaction (e.g. a Kafka worker storing its offsets). */
    @FunctionalInterface
    public interface InTransaction {
        void run(Connection c) throws SQLException;
    }

    /**
     * Appends like {@link #appendNew(List)}, and runs {@code also} in the same transaction, so both commit
     * or neither does.
     */
    public Appended appendNew(List<Candidate> candidates, InTransaction also) {
        if (candidates.isEmpty()) {
            return new Appended(new long[0], poll());
        }
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                lock(c);
                List<Stored> others = tail(c);
                String[] tenants = new String[candidates.size()];
                String[] sources = new String[candidates.size()];
                String[] ids = new String[candidates.size()];
                byte[][] records = new byte[candidates.size()][];
                for (int i = 0; i < tenants.length; i++) {
                    Candidate cand = candidates.get(i);
                    tenants[i] = new String(cand.tenant(), StandardCharsets.UTF_8);
                    sources[i] = new String(cand.source(), StandardCharsets.UTF_8);
                    ids[i] = new String(cand.id(), StandardCharsets.UTF_8);
                    records[i] = cand.record();
                }
                java.util.Set<String> seen = existing(c, tenants, sources, ids);
                List<Integer> fresh = new ArrayList<>();
                for (int i = 0; i < tenants.length; i++) {
                    if (seen.add(key(tenants[i], sources[i], ids[i]))) {
                        fresh.add(i); // first of its identity in the window (and in this batch)
                    }
                }
                insertIds(c, fresh, tenants, sources, ids, records);
                Map<String, Long> inserted = new HashMap<>();
                for (int from = 0; from < fresh.size(); from += ROWS_PER_STATEMENT) {
                    int n = Math.min(ROWS_PER_STATEMENT, fresh.size() - from);
                    try (PreparedStatement ps = c.prepareStatement(insertSql(n))) {
                        for (int k = 0, p = 1; k < n; k++) {
                            int i = fresh.get(from + k);
                            ps.setString(p++, tenants[i]);
                            ps.setString(p++, sources[i]);
                            ps.setString(p++, ids[i]);
                            ps.setBytes(p++, records[i]);
                            ps.setObject(p++, RecordTimes.eventTime(records[i]));
                        }
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                inserted.put(key(rs.getString(2), rs.getString(3), rs.getString(4)), rs.getLong(1));
                            }
                        }
                    }
                }
                also.run(c);
                c.commit();
                long[] positions = new long[candidates.size()];
                long max = lastSeen;
                for (int i = 0; i < positions.length; i++) {
                    Long seq = inserted.get(key(tenants[i], sources[i], ids[i]));
                    positions[i] = seq == null ? -1 : seq;
                    if (seq != null) {
                        cache.put(seq, records[i]);
                        max = Math.max(max, seq);
                    }
                }
                for (Stored s : others) {
                    max = Math.max(max, s.position());
                }
                lastSeen = max;
                healthy = true;
                return new Appended(positions, others);
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
        } catch (SQLException e) {
            healthy = false;
            throw new StorageUnavailableException("the event database is unavailable", e);
        }
    }

    /** The identities of the batch already in {@code event_ids} (any day still kept). */
    private static java.util.Set<String> existing(Connection c, String[] tenants, String[] sources, String[] ids)
            throws SQLException {
        java.util.Set<String> out = new java.util.HashSet<>();
        // one index probe per id and partition (a hash join would read every partition whole)
        try (PreparedStatement ps = c.prepareStatement("SELECT b.t, b.s, b.e FROM unnest(?::text[], ?::text[], "
                + "?::text[]) AS b(t, s, e) CROSS JOIN LATERAL (SELECT 1 FROM event_ids i WHERE i.tenant_id = b.t "
                + "AND i.source = b.s AND i.event_id = b.e LIMIT 1) found")) {
            ps.setArray(1, c.createArrayOf("text", tenants));
            ps.setArray(2, c.createArrayOf("text", sources));
            ps.setArray(3, c.createArrayOf("text", ids));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(key(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        return out;
    }

    /** Claims the new identities for the day each arrived (the day its dedup window starts). */
    private static void insertIds(Connection c, List<Integer> fresh, String[] tenants, String[] sources,
            String[] ids, byte[][] records) throws SQLException {
        if (fresh.isEmpty()) {
            return;
        }
        String[] t = new String[fresh.size()];
        String[] s = new String[t.length];
        String[] e = new String[t.length];
        String[] d = new String[t.length];
        for (int k = 0; k < t.length; k++) {
            int i = fresh.get(k);
            t[k] = tenants[i];
            s[k] = sources[i];
            e[k] = ids[i];
            d[k] = RecordTimes.arrivalDay(records[i]).toString();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_ids (tenant_id, source, event_id, "
                + "arrival_day) SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]::date[])")) {
            ps.setArray(1, c.createArrayOf("text", t));
            ps.setArray(2, c.createArrayOf("text", s));
            ps.setArray(3, c.createArrayOf("text", e));
            ps.setArray(4, c.createArrayOf("text", d));
            ps.executeUpdate();
        }
    }

    /** One multi-row INSERT per this many events (5 parameters each, far below PostgreSQL's 32,767). */
    private static final int ROWS_PER_STATEMENT = 1000;
    private static final Map<Integer, String> INSERTS = new java.util.concurrent.ConcurrentHashMap<>();

    /** INSERT ... VALUES (?, ?, ?, 1, ?, ?) x n ... RETURNING: bytea travels binary. */
    private static String insertSql(int n) {
        return INSERTS.computeIfAbsent(n, k -> {
            StringBuilder sql = new StringBuilder(
                    "INSERT INTO events (tenant_id, source, event_id, kind, record, event_time) VALUES ");
            for (int i = 0; i < k; i++) {
                sql.append(i == 0 ? "" : ",").append("(?, ?, ?, 1, ?, ?)");
            }
            return sql.append(" RETURNING seq, tenant_id, source, event_id").toString();
        });
    }

    private static String key(String tenant, String source, String id) {
        return tenant + '\u0000' + source + '\u0000' + id;
    }

    private static void lock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            ps.setLong(1, WRITER_LOCK);
            ps.execute();
        }
    }

    private static void rollback(Connection c, Exception e) {
        try {
            c.rollback();
        } catch (SQLException suppressed) {
            e.addSuppressed(suppressed);
        }
    }

    /** Records after {@code lastSeen}, in order (does not move lastSeen). */
    private List<Stored> tail(Connection c) throws SQLException {
        List<Stored> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT seq, record FROM events WHERE seq > ? ORDER BY seq")) {
            ps.setFetchSize(5000);
            ps.setLong(1, lastSeen);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Stored(rs.getLong(1), rs.getBytes(2)));
                }
            }
        }
        return out;
    }

    @Override
    public Appended appendRecord(byte[] record) {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                lock(c);
                List<Stored> others = tail(c);
                long seq;
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(record);
                b.get();
                String tenant = string(b);
                String source = string(b);
                String id = string(b);
                long target = b.getLong();
                seq = -1;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_cancels (tenant_id, source, "
                        + "event_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
                    ps.setString(1, tenant);
                    ps.setString(2, source);
                    ps.setString(3, id);
                    if (ps.executeUpdate() == 1) {
                        // a cancel lives in its event's month (archived with it); its own time if that is gone
                        try (PreparedStatement ins = c.prepareStatement("INSERT INTO events (tenant_id, source, "
                                + "event_id, kind, record, event_time) VALUES (?, ?, ?, 2, ?, coalesce((SELECT "
                                + "event_time FROM events WHERE seq = ? AND kind = 1 LIMIT 1), ?)) RETURNING seq")) {
                            ins.setString(1, tenant);
                            ins.setString(2, source);
                            ins.setString(3, id);
                            ins.setBytes(4, record);
                            ins.setLong(5, target);
                            ins.setObject(6, RecordTimes.cancelTime(record));
                            try (ResultSet rs = ins.executeQuery()) {
                                rs.next();
                                seq = rs.getLong(1);
                            }
                        }
                    }
                }
                c.commit();
                long max = Math.max(seq, lastSeen);
                for (Stored s : others) {
                    max = Math.max(max, s.position());
                }
                lastSeen = max;
                return new Appended(new long[] {seq}, others);
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
        } catch (SQLException e) {
            healthy = false;
            throw new StorageUnavailableException("the event database is unavailable", e);
        }
    }

    private static String string(java.nio.ByteBuffer b) {
        int len = b.getInt();
        String s = new String(b.array(), b.position(), len, StandardCharsets.UTF_8);
        b.position(b.position() + len);
        return s;
    }

    @Override
    public List<Stored> poll() {
        try (Connection c = db.connection()) {
            List<Stored> out = tail(c);
            if (!out.isEmpty()) {
                lastSeen = out.get(out.size() - 1).position();
            }
            healthy = true;
            return out;
        } catch (SQLException e) {
            healthy = false;
            throw new StorageUnavailableException("the event database is unavailable", e);
        }
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public Optional<Long> positionOf(byte[] tenant, byte[] source, byte[] id) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT seq FROM events WHERE tenant_id = ? AND source = ? AND event_id = ? AND kind = 1 "
                            + "ORDER BY seq LIMIT 1")) {
                ps.setString(1, new String(tenant, StandardCharsets.UTF_8));
                ps.setString(2, new String(source, StandardCharsets.UTF_8));
                ps.setString(3, new String(id, StandardCharsets.UTF_8));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getLong(1)) : Optional.<Long>empty();
                }
            }
        });
    }

    @Override
    public byte[] read(long position) {
        byte[] cached = cache.get(position);
        if (cached != null) {
            return cached;
        }
        byte[] record = db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT record FROM events WHERE seq = ?")) {
                ps.setLong(1, position);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return rs.getBytes(1);
                    }
                }
                return archived.read(c, position).orElseThrow(
                        () -> new dev.tally.engine.log.LogReadException("no record at " + position));
            }
        });
        cache.put(position, record);
        return record;
    }

    @Override
    public void scan(long from, RecordVisitor visitor) {
        long end = lastSeen;
        db.inTransaction(c -> {
            archived.scan(c, from, end, visitor);
            return null;
        });
    }

    /**
     * Replays from the start: the caller's recovery scan must see everything stored so far, so
     * {@code lastSeen} moves to the current end first.
     */
    @Override
    public long start() {
        return 0;
    }

    /** Moves what this process has seen to the database's current end (recovery reads up to it). */
    public void seeEverything() {
        lastSeen = db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(seq), 0) FROM events");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Math.max(rs.getLong(1), archived.maxSeq(c));
            }
        });
    }

    @Override
    public long endPosition() {
        return lastSeen + 1;
    }

    @Override
    public long sizeBytes() {
        try {
            return db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) "
                        + "FROM pg_inherits WHERE inhparent = 'events'::regclass");
                        ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
        } catch (RuntimeException e) {
            return -1;
        }
    }

    @Override
    public boolean healthy() {
        return healthy;
    }

    @Override
    public void remember(Candidate candidate, long position) {
        remembered++;
    }

    @Override
    public long rememberedIds() {
        return remembered;
    }

    /** The duplicate decision lives in the database ({@code event_ids}), not in memory. */
    @Override
    public long indexBytes() {
        return 0;
    }

    @Override
    public void writeIndex(DataOutput out) {
    }

    @Override
    public void readIndex(DataInput in) {
    }

    @Override
    public void close() {
        archived.close();
    }
}

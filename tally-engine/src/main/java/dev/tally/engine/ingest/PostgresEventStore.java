package dev.tally.engine.ingest;

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
 * other processes stored since this one last looked, insert the batch with
 * multi-row {@code INSERT ... ON CONFLICT DO NOTHING RETURNING} (records travel as binary parameters)
 * (the unique index decides duplicates exactly, across processes), commit.
 * A failed transaction stores nothing; a commit whose answer was lost is
 * found by the next read of the tail, and the client's retry is a duplicate.
 */
public final class PostgresEventStore implements EventStore {
    private static final long WRITER_LOCK = 0x54414c5945L;
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

    public PostgresEventStore(Database db) {
        this.db = db;
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
                Map<String, Long> inserted = new HashMap<>();
                for (int from = 0; from < tenants.length; from += ROWS_PER_STATEMENT) {
                    int n = Math.min(ROWS_PER_STATEMENT, tenants.length - from);
                    try (PreparedStatement ps = c.prepareStatement(insertSql(n))) {
                        for (int k = 0, p = 1; k < n; k++) {
                            ps.setString(p++, tenants[from + k]);
                            ps.setString(p++, sources[from + k]);
                            ps.setString(p++, ids[from + k]);
                            ps.setBytes(p++, records[from + k]);
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

    /** One multi-row INSERT per this many events (4 parameters each, far below PostgreSQL's 32,767). */
    private static final int ROWS_PER_STATEMENT = 1000;
    private static final Map<Integer, String> INSERTS = new java.util.concurrent.ConcurrentHashMap<>();

    /** INSERT ... VALUES (?, ?, ?, 1, ?) x n ... ON CONFLICT DO NOTHING RETURNING: bytea travels binary. */
    private static String insertSql(int n) {
        return INSERTS.computeIfAbsent(n, k -> {
            StringBuilder sql = new StringBuilder("INSERT INTO events (tenant_id, source, event_id, kind, record) VALUES ");
            for (int i = 0; i < k; i++) {
                sql.append(i == 0 ? "" : ",").append("(?, ?, ?, 1, ?)");
            }
            return sql.append(" ON CONFLICT (tenant_id, source, event_id) WHERE kind = 1 DO NOTHING")
                    .append(" RETURNING seq, tenant_id, source, event_id").toString();
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
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO events (tenant_id, source, event_id, kind, record) VALUES (?, ?, ?, 2, ?) "
                                + "ON CONFLICT (tenant_id, source, event_id) WHERE kind = 2 DO NOTHING RETURNING seq")) {
                    ps.setString(1, string(b));
                    ps.setString(2, string(b));
                    ps.setString(3, string(b));
                    ps.setBytes(4, record);
                    try (ResultSet rs = ps.executeQuery()) {
                        seq = rs.next() ? rs.getLong(1) : -1;
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
                    "SELECT seq FROM events WHERE tenant_id = ? AND source = ? AND event_id = ? AND kind = 1")) {
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
                    if (!rs.next()) {
                        throw new dev.tally.engine.log.LogReadException("no record at " + position);
                    }
                    return rs.getBytes(1);
                }
            }
        });
        cache.put(position, record);
        return record;
    }

    @Override
    public void scan(long from, RecordVisitor visitor) {
        long end = lastSeen;
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT seq, record FROM events WHERE seq >= ? AND seq <= ? ORDER BY seq")) {
                ps.setFetchSize(5000);
                ps.setLong(1, from);
                ps.setLong(2, end);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (!visitor.visit(rs.getLong(1), rs.getBytes(2))) {
                            break;
                        }
                    }
                }
            }
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
                return rs.getLong(1);
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
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_total_relation_size('events')");
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

    /** The duplicate decision lives in the database's unique index, not in memory. */
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
    }
}

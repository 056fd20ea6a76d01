package dev.tally.engine.anomaly;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.Json;
import dev.tally.engine.store.Database;
import dev.tally.engine.store.StoreException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The anomaly tables (V31): incidents, policies and what detection learned, on SQLite or PostgreSQL; per tenant. */
final class AnomalyStore {
    private static final ObjectMapper MAPPER = Json.newMapper();
    private final Database db;

    AnomalyStore(Database db) {
        this.db = db;
    }

    Database db() {
        return db;
    }

    /** What detection knows: the tenant's sources, its keys (first seen) and each key's customers. */
    record Known(Set<String> sources, Map<String, Long> keysFirstSeen, Map<String, Set<String>> keyCustomers) {
    }

    // ---- incidents

    /** Inserts a new active incident; false when one with the same identity is active (raised by another process). */
    boolean insert(Connection c, Anomaly a) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO anomalies (tenant_id, id, kind, incident_key, "
                + "customer, meter, subject, window_start, window_end, observed, expected, score, method, hold, status, "
                + "detected_ms, detected_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT DO NOTHING")) {
            ps.setString(1, a.tenant());
            ps.setString(2, a.id());
            ps.setString(3, a.kind().wireName());
            ps.setString(4, Signal.key(a.kind(), a.customer(), a.meter(), a.subject()));
            ps.setString(5, a.customer().orElse(null));
            ps.setString(6, a.meter().orElse(null));
            ps.setString(7, a.subject().orElse(null));
            ps.setString(8, a.windowStart().toString());
            ps.setString(9, a.observed().toPlainString());
            ps.setString(10, a.expected().toPlainString());
            ps.setString(11, a.score().toPlainString());
            ps.setString(12, a.method());
            ps.setString(13, a.hold().wireName());
            ps.setString(14, a.status().wireName());
            ps.setLong(15, a.detectedAt().toEpochMilli());
            ps.setString(16, a.detectedAt().toString());
            ps.setString(17, a.lastSeenAt().toString());
            return ps.executeUpdate() == 1;
        }
    }

    /** The tenant's incidents still going on. */
    List<Anomaly> active(String tenant) {
        return db.inTransaction(c -> select(c, "SELECT * FROM anomalies WHERE tenant_id = ? AND window_end IS NULL",
                tenant));
    }

    /** Records that an active incident was seen again (up to {@code seenUntil}), with its worst figures so far. */
    void refresh(String tenant, String id, Instant seenUntil, Optional<BigDecimal[]> worse) {
        db.inTransaction(c -> {
            String sql = worse.isPresent()
                    ? "UPDATE anomalies SET last_seen_at = ?, observed = ?, expected = ?, score = ? WHERE tenant_id = ? AND id = ?"
                    : "UPDATE anomalies SET last_seen_at = ? WHERE tenant_id = ? AND id = ?";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, seenUntil.toString());
                if (worse.isPresent()) {
                    for (BigDecimal v : worse.get()) {
                        ps.setString(i++, v.toPlainString());
                    }
                }
                ps.setString(i++, tenant);
                ps.setString(i, id);
                return ps.executeUpdate();
            }
        });
    }

    /** Ends an incident's window. */
    void close(String tenant, String id, Instant end) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE anomalies SET window_end = ? WHERE tenant_id = ? AND id = ? AND window_end IS NULL")) {
                ps.setString(1, end.toString());
                ps.setString(2, tenant);
                ps.setString(3, id);
                return ps.executeUpdate();
            }
        });
    }

    Optional<Anomaly> get(Connection c, String tenant, String id) throws SQLException {
        List<Anomaly> found = select(c, "SELECT * FROM anomalies WHERE tenant_id = ? AND id = ?", tenant, id);
        return found.stream().findFirst();
    }

    /** Sets the review of an open anomaly; false if it was no longer open. */
    boolean review(Connection c, String tenant, String id, AnomalyStatus status, Instant at, Optional<String> by)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE anomalies SET status = ?, reviewed_at = ?, reviewed_by = ? "
                + "WHERE tenant_id = ? AND id = ? AND status = 'open'")) {
            ps.setString(1, status.wireName());
            ps.setString(2, at.toString());
            ps.setString(3, by.orElse(null));
            ps.setString(4, tenant);
            ps.setString(5, id);
            return ps.executeUpdate() == 1;
        }
    }

    /** Whether an unreviewed anomaly of the customer holds its invoices in draft (joins the caller's transaction). */
    boolean holdsDrafts(String tenant, String customer) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM anomalies WHERE tenant_id = ? AND customer = ? "
                    + "AND status = 'open' AND hold = 'draft_hold' LIMIT 1")) {
                ps.setString(1, tenant);
                ps.setString(2, customer);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** One page of a tenant's anomalies matching the query, newest detected first. */
    AnomalyPage query(String tenant, AnomalyQuery q) {
        StringBuilder sql = new StringBuilder("SELECT * FROM anomalies WHERE tenant_id = ?");
        List<Object> args = new ArrayList<>();
        args.add(tenant);
        q.status().ifPresent(v -> {
            sql.append(" AND status = ?");
            args.add(v.wireName());
        });
        q.customer().ifPresent(v -> {
            sql.append(" AND customer = ?");
            args.add(v);
        });
        q.kind().ifPresent(v -> {
            sql.append(" AND kind = ?");
            args.add(v.wireName());
        });
        q.from().ifPresent(v -> {
            sql.append(" AND detected_ms >= ?");
            args.add(v.toEpochMilli());
        });
        q.to().ifPresent(v -> {
            sql.append(" AND detected_ms < ?");
            args.add(v.toEpochMilli());
        });
        if (q.cursor().isPresent()) {
            String[] cur = decode(q.cursor().get());
            long ms = Long.parseLong(cur[0]);
            sql.append(" AND (detected_ms < ? OR (detected_ms = ? AND id < ?))");
            args.add(ms);
            args.add(ms);
            args.add(cur[1]);
        }
        sql.append(" ORDER BY detected_ms DESC, id DESC LIMIT ?");
        args.add((long) q.limit() + 1);
        return db.inTransaction(c -> {
            List<Anomaly> out = select(c, sql.toString(), args.toArray());
            Optional<String> next = Optional.empty();
            if (out.size() > q.limit()) {
                out.remove(out.size() - 1);
                Anomaly last = out.get(out.size() - 1);
                next = Optional.of(encode(last.detectedAt().toEpochMilli(), last.id()));
            }
            return new AnomalyPage(out, next);
        });
    }

    private static List<Anomaly> select(Connection c, String sql, Object... args) throws SQLException {
        List<Anomaly> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                if (args[i] instanceof Long l) {
                    ps.setLong(i + 1, l);
                } else {
                    ps.setString(i + 1, (String) args[i]);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
        }
        return out;
    }

    private static Anomaly read(ResultSet rs) throws SQLException {
        return new Anomaly(rs.getString("id"), rs.getString("tenant_id"),
                AnomalyKind.fromWireName(rs.getString("kind")).orElseThrow(),
                Optional.ofNullable(rs.getString("customer")), Optional.ofNullable(rs.getString("meter")),
                Optional.ofNullable(rs.getString("subject")), Instant.parse(rs.getString("window_start")),
                Optional.ofNullable(rs.getString("window_end")).map(Instant::parse),
                new BigDecimal(rs.getString("observed")), new BigDecimal(rs.getString("expected")),
                new BigDecimal(rs.getString("score")), rs.getString("method"),
                HoldAction.fromWireName(rs.getString("hold")).orElseThrow(),
                AnomalyStatus.fromWireName(rs.getString("status")).orElseThrow(),
                Instant.parse(rs.getString("detected_at")), Instant.parse(rs.getString("last_seen_at")),
                Optional.ofNullable(rs.getString("reviewed_at")).map(Instant::parse),
                Optional.ofNullable(rs.getString("reviewed_by")));
    }

    private static String encode(long ms, String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((ms + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    private static String[] decode(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = s.indexOf(':');
            if (colon < 1 || !s.startsWith("ano_", colon + 1)) {
                throw new InvalidAnomalyCursorException();
            }
            Long.parseLong(s.substring(0, colon));
            return new String[] {s.substring(0, colon), s.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            throw new InvalidAnomalyCursorException();
        }
    }

    // ---- policies

    Optional<AnomalyPolicy> policy(String tenant) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT body FROM anomaly_policies WHERE tenant_id = ?")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<AnomalyPolicy>empty();
                    }
                    try {
                        return Optional.of(AnomalyPolicy.read(MAPPER.readTree(rs.getString(1))));
                    } catch (JsonProcessingException e) {
                        throw new StoreException("a stored anomaly policy is not JSON", e);
                    }
                }
            }
        });
    }

    void putPolicy(String tenant, AnomalyPolicy p, Instant now) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO anomaly_policies (tenant_id, body, updated_at) "
                    + "VALUES (?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET body = excluded.body, "
                    + "updated_at = excluded.updated_at")) {
                ps.setString(1, tenant);
                ps.setString(2, p.toJson().toString());
                ps.setString(3, now.toString());
                return ps.executeUpdate();
            }
        });
    }

    // ---- what detection learned

    /** When the tenant's learning began (now, if this is the first time it is asked). */
    long learningSince(String tenant, long nowMs) {
        remember(tenant, List.<String[]>of(new String[] {"learning", "", ""}), nowMs);
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT first_seen_ms FROM anomaly_known WHERE tenant_id = ? "
                    + "AND kind = 'learning'")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    Known known(String tenant) {
        return db.inTransaction(c -> {
            Set<String> sources = new HashSet<>();
            Map<String, Long> keys = new HashMap<>();
            Map<String, Set<String>> customers = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT kind, name, member, first_seen_ms FROM anomaly_known "
                    + "WHERE tenant_id = ? AND kind IN ('source', 'key')")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String name = rs.getString(2);
                        String member = rs.getString(3);
                        if (rs.getString(1).equals("source")) {
                            sources.add(name);
                        } else if (member.isEmpty()) {
                            keys.put(name, rs.getLong(4));
                        } else {
                            customers.computeIfAbsent(name, k -> new HashSet<>()).add(member);
                        }
                    }
                }
            }
            return new Known(sources, keys, customers);
        });
    }

    /** Remembers (kind, name, member) rows first seen now; rows already known are left as they are. */
    void remember(String tenant, List<String[]> rows, long nowMs) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO anomaly_known (tenant_id, kind, name, member, "
                    + "first_seen_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                for (String[] r : rows) {
                    ps.setString(1, tenant);
                    ps.setString(2, r[0]);
                    ps.setString(3, r[1]);
                    ps.setString(4, r[2]);
                    ps.setLong(5, nowMs);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }
}

package dev.tally.engine.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.Json;
import dev.tally.engine.store.Database;
import dev.tally.engine.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tenants' audit trail in the metadata database (SQLite or PostgreSQL). {@link #append} redacts secrets from
 * both states, diffs them into an RFC 6902 JSON Patch and inserts one row; nothing here updates a row (the table
 * refuses UPDATE), and only {@link #prune} deletes, records older than the retention. Every read is of one tenant.
 */
public final class AuditLog {
    /** The default retention: 400 days, more than a year of billing disputes. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(400);
    /** The environment variable that sets the retention in whole days. */
    public static final String RETENTION_ENV = "TALLY_AUDIT_RETENTION_DAYS";

    private static final ObjectMapper MAPPER = Json.newMapper();
    private final AtomicLong sequence = new AtomicLong();
    private final Database db;
    private final Clock clock;
    private final Duration retention;

    public AuditLog(Database db, Clock clock, Duration retention) {
        this.db = Objects.requireNonNull(db);
        this.clock = Objects.requireNonNull(clock);
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("the audit retention must be positive");
        }
        this.retention = retention;
    }

    /** The retention of {@value #RETENTION_ENV} (whole days, at least 1) or {@link #DEFAULT_RETENTION}. */
    public static Duration retentionFrom(Map<String, String> env) {
        String v = env.get(RETENTION_ENV);
        if (v == null || v.isBlank()) {
            return DEFAULT_RETENTION;
        }
        long days;
        try {
            days = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(RETENTION_ENV + " must be a whole number of days");
        }
        if (days < 1) {
            throw new IllegalArgumentException(RETENTION_ENV + " must be at least 1");
        }
        return Duration.ofDays(days);
    }

    public Duration retention() {
        return retention;
    }

    /** Appends one record in its own transaction and returns it. */
    public AuditRecord append(AuditEntry entry) {
        return db.inTransaction(c -> append(c, entry));
    }

    /** Appends one record on a connection already in a transaction (so that it commits with the change). */
    public AuditRecord append(Connection c, AuditEntry entry) throws SQLException {
        Instant at = clock.instant();
        JsonNode before = entry.before().map(Redaction::redact).orElse(null);
        JsonNode after = entry.after().map(Redaction::redact).orElse(null);
        JsonNode patch = JsonPatchDiff.diff(before, after);
        Optional<String> version = Optional.ofNullable(after).map(a -> a.get("version"))
                .filter(v -> v.isValueNode() && !v.isNull()).map(JsonNode::asText);
        String id = String.format("aud_%013x%04x%06x", at.toEpochMilli(), sequence.incrementAndGet() & 0xffff,
                ThreadLocalRandom.current().nextInt(1 << 24));
        AuditRecord record = new AuditRecord(id, entry.tenant(), at, entry.actor(), entry.resource(),
                Redaction.redactText(entry.resourceId()), version, entry.action(), entry.requestId(), patch);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_records (tenant_id, id, at_ms, at, actor_kind,"
                + " actor_id, actor_name, resource, resource_id, version, action, request_id, patch)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, record.tenant());
            ps.setString(2, id);
            ps.setLong(3, at.toEpochMilli());
            ps.setString(4, at.toString());
            ps.setString(5, record.actor().kind());
            ps.setString(6, record.actor().id().orElse(null));
            ps.setString(7, record.actor().name().orElse(null));
            ps.setString(8, record.resource());
            ps.setString(9, record.resourceId());
            ps.setString(10, version.orElse(null));
            ps.setString(11, record.action());
            ps.setString(12, record.requestId().orElse(null));
            ps.setString(13, patch.toString());
            ps.executeUpdate();
        }
        return record;
    }

    /**
     * One page of a tenant's records matching the query, oldest first.
     *
     * @throws InvalidAuditCursorException if the cursor was not handed out by this log
     */
    public AuditPage query(String tenant, AuditQuery q) {
        StringBuilder sql = new StringBuilder("SELECT * FROM audit_records WHERE tenant_id = ?");
        List<Object> args = new ArrayList<>();
        args.add(tenant);
        q.resource().ifPresent(v -> {
            sql.append(" AND resource = ?");
            args.add(v);
        });
        q.resourceId().ifPresent(v -> {
            sql.append(" AND resource_id = ?");
            args.add(v);
        });
        q.actor().ifPresent(v -> {
            sql.append(" AND (actor_id = ? OR actor_kind = ?)");
            args.add(v);
            args.add(v);
        });
        q.from().ifPresent(v -> {
            sql.append(" AND at_ms >= ?");
            args.add(v.toEpochMilli());
        });
        q.to().ifPresent(v -> {
            sql.append(" AND at_ms < ?");
            args.add(v.toEpochMilli());
        });
        if (q.cursor().isPresent()) {
            String[] c = decode(q.cursor().get());
            sql.append(" AND (at_ms > ? OR (at_ms = ? AND id > ?))");
            long ms = Long.parseLong(c[0]);
            args.add(ms);
            args.add(ms);
            args.add(c[1]);
        }
        sql.append(" ORDER BY at_ms, id LIMIT ?");
        args.add(q.limit() + 1);
        return db.inTransaction(c -> {
            List<AuditRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    Object a = args.get(i);
                    if (a instanceof Long l) {
                        ps.setLong(i + 1, l);
                    } else if (a instanceof Integer n) {
                        ps.setInt(i + 1, n);
                    } else {
                        ps.setString(i + 1, (String) a);
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
            }
            Optional<String> next = Optional.empty();
            if (out.size() > q.limit()) {
                out.remove(out.size() - 1);
                AuditRecord last = out.get(out.size() - 1);
                next = Optional.of(encode(last.at().toEpochMilli(), last.id()));
            }
            return new AuditPage(out, next);
        });
    }

    /**
     * Appends one record for each invoice transition (created, finalized, paid, voided) recorded in the webhook outbox
     * since {@code since}, as {@code actor}: how a scheduled billing run's changes get into the trail without a hook
     * inside billing. Returns how many were appended.
     */
    public int appendInvoiceTransitions(String tenant, Instant since, Actor actor) {
        return db.inTransaction(c -> {
            List<AuditEntry> entries = InvoiceTransitions.since(c, tenant, since, actor);
            for (AuditEntry e : entries) {
                append(c, e);
            }
            return entries.size();
        });
    }

    /** Deletes the records older than the retention (as of now); returns how many. The only delete there is. */
    public int prune() {
        long cutoff = clock.instant().minus(retention).toEpochMilli();
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM audit_records WHERE at_ms < ?")) {
                ps.setLong(1, cutoff);
                return ps.executeUpdate();
            }
        });
    }

    private static AuditRecord read(ResultSet rs) throws SQLException {
        Actor actor = new Actor(rs.getString("actor_kind"), Optional.ofNullable(rs.getString("actor_id")),
                Optional.ofNullable(rs.getString("actor_name")));
        JsonNode patch;
        try {
            patch = MAPPER.readTree(rs.getString("patch"));
        } catch (JsonProcessingException e) {
            throw new StoreException("a stored audit patch is not JSON", e);
        }
        return new AuditRecord(rs.getString("id"), rs.getString("tenant_id"), Instant.parse(rs.getString("at")), actor,
                rs.getString("resource"), rs.getString("resource_id"), Optional.ofNullable(rs.getString("version")),
                rs.getString("action"), Optional.ofNullable(rs.getString("request_id")), patch);
    }

    private static String encode(long ms, String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((ms + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    private static String[] decode(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = s.indexOf(':');
            if (colon < 1 || !s.startsWith("aud_", colon + 1)) {
                throw new InvalidAuditCursorException();
            }
            Long.parseLong(s.substring(0, colon));
            return new String[] {s.substring(0, colon), s.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            throw new InvalidAuditCursorException();
        }
    }
}

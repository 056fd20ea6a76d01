package dev.tally.engine.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.event.Json;
import dev.tally.engine.secrets.SecretBox;
import dev.tally.engine.store.Database;
import dev.tally.engine.store.StoreException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The webhook tables: endpoints, deliveries and attempts. Every method is one transaction. Claims
 * ({@code claimed_until}) are conditional updates, so with several processes on one PostgreSQL a delivery is
 * being sent by at most one of them at a time.
 */
final class WebhookStore {
    /** Waits after failed scheduled attempts 1..7; the 8th failure gives up. */
    static final List<Duration> BACKOFF = List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30),
            Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10));
    /** An endpoint failing for this long (first failure of the current streak) is disabled. */
    static final Duration DISABLE_AFTER = Duration.ofDays(5);

    private final Database db;
    private final SecretBox box;
    private final ObjectMapper mapper = Json.newMapper();

    WebhookStore(Database db, SecretBox box) {
        this.db = db;
        this.box = box;
    }

    /** The associated data of an endpoint's sealed secrets: they open only on their own endpoint's row. */
    private static String record(String endpointId) {
        return "webhook_endpoints:" + endpointId;
    }

    /**
     * Seals every signing secret an older version stored in clear (current and rotated-out ones), on any
     * database; returns how many endpoints it changed. Idempotent: sealed values are left alone.
     */
    int sealClearSecrets() {
        return db.inTransaction(c -> {
            List<String[]> clear = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, secret, previous_secret FROM webhook_endpoints "
                    + "WHERE secret NOT LIKE 'tsb1:%' OR (previous_secret IS NOT NULL AND previous_secret NOT LIKE 'tsb1:%')");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    clear.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                }
            }
            for (String[] row : clear) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE webhook_endpoints SET secret = ?, previous_secret = ? WHERE id = ?")) {
                    ps.setString(1, sealed(row[1], row[0]));
                    ps.setString(2, row[2] == null ? null : sealed(row[2], row[0]));
                    ps.setString(3, row[0]);
                    ps.executeUpdate();
                }
            }
            return clear.size();
        });
    }

    private String sealed(String value, String endpointId) {
        return SecretBox.isSealedText(value) ? value : box.sealText(value, record(endpointId));
    }

    <T> T inTransaction(Database.Work<T> work) {
        return db.inTransaction(work);
    }

    static String newId(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    // ---- endpoints

    WebhookEndpoint insertEndpoint(String tenant, String url, String description, List<String> types, String secret,
            Instant now) {
        String id = newId("we_");
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO webhook_endpoints (id, tenant_id, url, description, event_types, secret, status, "
                            + "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'enabled', ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, tenant);
                ps.setString(3, url);
                ps.setString(4, description);
                ps.setString(5, typesJson(types));
                ps.setString(6, box.sealText(secret, record(id)));
                ps.setString(7, Times.format(now));
                ps.setString(8, Times.format(now));
                ps.executeUpdate();
            }
            return null;
        });
        return endpoint(tenant, id).orElseThrow();
    }

    Optional<WebhookEndpoint> endpoint(String tenant, String id) {
        List<WebhookEndpoint> l = endpoints("SELECT * FROM webhook_endpoints WHERE tenant_id = ? AND id = ? "
                + "AND deleted_at IS NULL", tenant, id);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    List<WebhookEndpoint> endpoints(String tenant) {
        return endpoints("SELECT * FROM webhook_endpoints WHERE tenant_id = ? AND deleted_at IS NULL "
                + "ORDER BY created_at, id", tenant);
    }

    private List<WebhookEndpoint> endpoints(String sql, String... args) {
        return db.inTransaction(c -> {
            List<WebhookEndpoint> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setString(i + 1, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(endpoint(rs));
                    }
                }
            }
            return out;
        });
    }

    private WebhookEndpoint endpoint(ResultSet rs) throws SQLException {
        return new WebhookEndpoint(rs.getString("id"), rs.getString("tenant_id"), rs.getString("url"),
                rs.getString("description"), types(rs.getString("event_types")),
                WebhookEndpoint.Status.fromWireName(rs.getString("status")), Times.parse(rs.getString("created_at")),
                Times.parse(rs.getString("updated_at")), Times.parseNullable(rs.getString("failing_since")),
                Times.parseNullable(rs.getString("disabled_at")), Optional.ofNullable(rs.getString("disabled_reason")),
                Times.parseNullable(rs.getString("previous_secret_until")));
    }

    /** Soft-deletes an endpoint (its delivery log stays) and cancels its pending deliveries. */
    boolean deleteEndpoint(String tenant, String id, Instant now) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_endpoints SET deleted_at = ?, updated_at = ? "
                    + "WHERE tenant_id = ? AND id = ? AND deleted_at IS NULL")) {
                ps.setString(1, Times.format(now));
                ps.setString(2, Times.format(now));
                ps.setString(3, tenant);
                ps.setString(4, id);
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_deliveries SET status = 'cancelled', "
                    + "next_attempt_at = NULL WHERE endpoint_id = ? AND status = 'pending'")) {
                ps.setString(1, id);
                ps.executeUpdate();
            }
            return true;
        });
    }

    /** Makes {@code secret} the signing secret; the old one keeps signing too until {@code overlapUntil}. */
    boolean rotate(String tenant, String id, String secret, Instant overlapUntil, Instant now) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_endpoints SET previous_secret = secret, "
                    + "previous_secret_until = ?, secret = ?, updated_at = ? "
                    + "WHERE tenant_id = ? AND id = ? AND deleted_at IS NULL")) {
                ps.setString(1, Times.format(overlapUntil));
                ps.setString(2, box.sealText(secret, record(id)));
                ps.setString(3, Times.format(now));
                ps.setString(4, tenant);
                ps.setString(5, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Enables a disabled endpoint with a fresh failure streak; false when there is no such endpoint. */
    boolean enable(String tenant, String id, Instant now) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_endpoints SET status = 'enabled', "
                    + "failing_since = NULL, disabled_at = NULL, disabled_reason = NULL, updated_at = ? "
                    + "WHERE tenant_id = ? AND id = ? AND deleted_at IS NULL")) {
                ps.setString(1, Times.format(now));
                ps.setString(2, tenant);
                ps.setString(3, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    // ---- fan-out

    /** An outbox message not yet turned into deliveries. */
    record Unfanned(String id, String tenant, String type, String createdAt) {
    }

    List<Unfanned> unfanned(int limit) {
        return db.inTransaction(c -> {
            List<Unfanned> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, tenant_id, type, created_at FROM outbox_messages "
                    + "WHERE fanned_out = 0 ORDER BY created_at, id LIMIT " + limit)) {
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Unfanned(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                    }
                }
            }
            return out;
        });
    }

    /**
     * In one transaction: marks each message fanned out (unless another process did first) and creates one
     * pending delivery, due now, per enabled endpoint of its tenant whose filter takes its type. Returns how
     * many deliveries were created.
     */
    int fanOut(List<Unfanned> messages, Instant now) {
        return db.inTransaction(c -> {
            int created = 0;
            Map<String, List<WebhookEndpoint>> byTenant = new HashMap<>();
            try (PreparedStatement mark = c.prepareStatement(
                    "UPDATE outbox_messages SET fanned_out = 1 WHERE id = ? AND fanned_out = 0");
                    PreparedStatement ins = c.prepareStatement("INSERT INTO webhook_deliveries (id, tenant_id, "
                            + "endpoint_id, message_id, message_created_at, type, status, next_attempt_at, created_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (endpoint_id, message_id) DO NOTHING")) {
                for (Unfanned m : messages) {
                    mark.setString(1, m.id());
                    if (mark.executeUpdate() != 1) {
                        continue;
                    }
                    List<WebhookEndpoint> endpoints = byTenant.get(m.tenant());
                    if (endpoints == null) {
                        endpoints = enabledEndpoints(c, m.tenant());
                        byTenant.put(m.tenant(), endpoints);
                    }
                    for (WebhookEndpoint e : endpoints) {
                        if (!e.receives(m.type())) {
                            continue;
                        }
                        ins.setString(1, newId("whd_"));
                        ins.setString(2, m.tenant());
                        ins.setString(3, e.id());
                        ins.setString(4, m.id());
                        ins.setString(5, Times.format(Times.parse(m.createdAt())));
                        ins.setString(6, m.type());
                        ins.setString(7, Times.format(now));
                        ins.setString(8, Times.format(now));
                        created += ins.executeUpdate();
                    }
                }
            }
            return created;
        });
    }

    private List<WebhookEndpoint> enabledEndpoints(Connection c, String tenant) throws SQLException {
        List<WebhookEndpoint> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM webhook_endpoints WHERE tenant_id = ? "
                + "AND status = 'enabled' AND deleted_at IS NULL ORDER BY created_at, id")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(endpoint(rs));
                }
            }
        }
        return out;
    }

    // ---- sending

    /** A delivery due now: its id and endpoint, in message order. */
    record Due(String deliveryId, String endpointId) {
    }

    List<Due> due(Instant now, int limit) {
        return db.inTransaction(c -> {
            List<Due> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, endpoint_id FROM webhook_deliveries "
                    + "WHERE status = 'pending' AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) "
                    + "ORDER BY message_created_at, message_id LIMIT " + limit)) {
                ps.setString(1, Times.format(now));
                ps.setString(2, Times.format(now));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Due(rs.getString(1), rs.getString(2)));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Claims a delivery until {@code until} unless someone else holds a claim: a scheduled claim also needs
     * the delivery to be pending and due; a manual one (tenant-scoped) takes it in any status.
     */
    boolean claim(Optional<String> tenant, String deliveryId, Instant now, Instant until, boolean onlyIfDue) {
        return db.inTransaction(c -> {
            String sql = "UPDATE webhook_deliveries SET claimed_until = ? WHERE id = ? "
                    + "AND (claimed_until IS NULL OR claimed_until < ?)"
                    + (onlyIfDue ? " AND status = 'pending' AND next_attempt_at <= ?" : "")
                    + (tenant.isPresent() ? " AND tenant_id = ?" : "");
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                ps.setString(i++, Times.format(until));
                ps.setString(i++, deliveryId);
                ps.setString(i++, Times.format(now));
                if (onlyIfDue) {
                    ps.setString(i++, Times.format(now));
                }
                if (tenant.isPresent()) {
                    ps.setString(i, tenant.get());
                }
                return ps.executeUpdate() == 1;
            }
        });
    }

    void release(String deliveryId) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE webhook_deliveries SET claimed_until = NULL WHERE id = ?")) {
                ps.setString(1, deliveryId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** What sending a claimed delivery needs: the message and the endpoint as they are now. */
    record Job(String deliveryId, String tenant, String messageId, String payload, String endpointId, String url,
            boolean endpointEnabled, boolean endpointDeleted, String secret, Optional<String> previousSecret,
            Optional<Instant> previousSecretUntil) {

        /** The secrets that sign an attempt at {@code at}: the current one, then a rotated-out one still valid. */
        List<String> signingSecrets(Instant at) {
            List<String> out = new ArrayList<>(List.of(secret));
            if (previousSecret.isPresent() && previousSecretUntil.isPresent() && at.isBefore(previousSecretUntil.get())) {
                out.add(previousSecret.get());
            }
            return out;
        }
    }

    Optional<Job> job(String deliveryId) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT d.id, d.tenant_id, d.message_id, m.payload, "
                    + "e.id AS endpoint_id, e.url, e.status, e.deleted_at, e.secret, e.previous_secret, "
                    + "e.previous_secret_until FROM webhook_deliveries d "
                    + "JOIN outbox_messages m ON m.id = d.message_id JOIN webhook_endpoints e ON e.id = d.endpoint_id "
                    + "WHERE d.id = ?")) {
                ps.setString(1, deliveryId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    String endpoint = rs.getString(5);
                    return Optional.of(new Job(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            endpoint, rs.getString(6), "enabled".equals(rs.getString(7)), rs.getString(8) != null,
                            box.openText(rs.getString(9), record(endpoint)),
                            Optional.ofNullable(rs.getString(10)).map(p -> box.openText(p, record(endpoint))),
                            Times.parseNullable(rs.getString(11))));
                }
            }
        });
    }

    /** What recording an attempt did to the endpoint: disabled it (after five days of failures), or not. */
    record Recorded(boolean endpointDisabled, Optional<Instant> failingSince) {
    }

    /**
     * Records an attempt and its consequences in one transaction: a success ends the delivery and the
     * endpoint's failure streak; a failed scheduled attempt schedules the next one on {@link #BACKOFF} (or gives
     * up after the last); a failed manual attempt leaves the schedule alone. Any failure starts or continues the
     * endpoint's streak, and a streak older than {@link #DISABLE_AFTER} disables the endpoint: its pending
     * deliveries fail and a {@code webhook_endpoint.disabled} message is recorded for the tenant's other endpoints.
     */
    Recorded recordAttempt(String deliveryId, DeliveryAttempt.Trigger trigger, Instant at, Sender.Outcome outcome) {
        return db.inTransaction(c -> {
            int attempts;
            int scheduled;
            String status;
            String endpointId;
            String tenant;
            try (PreparedStatement ps = c.prepareStatement("SELECT attempts, scheduled_attempts, status, endpoint_id, "
                    + "tenant_id FROM webhook_deliveries WHERE id = ?")) {
                ps.setString(1, deliveryId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new StoreException("delivery " + deliveryId + " vanished", new SQLException("no row"));
                    }
                    attempts = rs.getInt(1);
                    scheduled = rs.getInt(2);
                    status = rs.getString(3);
                    endpointId = rs.getString(4);
                    tenant = rs.getString(5);
                }
            }
            int number = attempts + 1;
            DeliveryAttempt attempt = new DeliveryAttempt(number, trigger, at, outcome.statusCode(), outcome.error(),
                    outcome.durationMillis());
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO webhook_attempts (delivery_id, attempt, "
                    + "trigger_kind, attempted_at, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, deliveryId);
                ps.setInt(2, number);
                ps.setString(3, trigger.wireName());
                ps.setString(4, Times.format(at));
                if (outcome.statusCode().isPresent()) {
                    ps.setInt(5, outcome.statusCode().get());
                } else {
                    ps.setNull(5, Types.INTEGER);
                }
                ps.setString(6, outcome.error().orElse(null));
                ps.setLong(7, outcome.durationMillis());
                ps.executeUpdate();
            }
            int scheduledNow = trigger == DeliveryAttempt.Trigger.SCHEDULED ? scheduled + 1 : scheduled;
            String newStatus = status;
            Optional<Instant> next = Optional.empty();
            boolean keepNext = false;
            if (attempt.succeeded()) {
                newStatus = "succeeded";
            } else if (trigger == DeliveryAttempt.Trigger.SCHEDULED && status.equals("pending")) {
                if (scheduledNow <= BACKOFF.size()) {
                    next = Optional.of(at.plus(BACKOFF.get(scheduledNow - 1)));
                } else {
                    newStatus = "failed";
                }
            } else {
                // a manual attempt, or the delivery was cancelled or failed meanwhile: the schedule stays as it is
                keepNext = true;
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_deliveries SET attempts = ?, "
                    + "scheduled_attempts = ?, status = ?, last_attempt_at = ?, claimed_until = NULL"
                    + (keepNext ? "" : ", next_attempt_at = ?") + " WHERE id = ?")) {
                int i = 1;
                ps.setInt(i++, number);
                ps.setInt(i++, scheduledNow);
                ps.setString(i++, newStatus);
                ps.setString(i++, Times.format(at));
                if (!keepNext) {
                    ps.setString(i++, next.map(Times::format).orElse(null));
                }
                ps.setString(i, deliveryId);
                ps.executeUpdate();
            }
            if (attempt.succeeded()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ?")) {
                    ps.setString(1, endpointId);
                    ps.executeUpdate();
                }
                return new Recorded(false, Optional.empty());
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ?) WHERE id = ?")) {
                ps.setString(1, Times.format(at));
                ps.setString(2, endpointId);
                ps.executeUpdate();
            }
            Instant failingSince;
            String url;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT failing_since, url FROM webhook_endpoints WHERE id = ?")) {
                ps.setString(1, endpointId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    failingSince = Times.parse(rs.getString(1));
                    url = rs.getString(2);
                }
            }
            if (failingSince.isAfter(at.minus(DISABLE_AFTER))) {
                return new Recorded(false, Optional.of(failingSince));
            }
            String reason = "every attempt failed since " + failingSince + " (5 days)";
            try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_endpoints SET status = 'disabled', "
                    + "disabled_at = ?, disabled_reason = ?, updated_at = ? WHERE id = ? AND status = 'enabled'")) {
                ps.setString(1, Times.format(at));
                ps.setString(2, reason);
                ps.setString(3, Times.format(at));
                ps.setString(4, endpointId);
                if (ps.executeUpdate() != 1) {
                    return new Recorded(false, Optional.of(failingSince));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_deliveries SET status = 'failed', "
                    + "next_attempt_at = NULL WHERE endpoint_id = ? AND status = 'pending'")) {
                ps.setString(1, endpointId);
                ps.executeUpdate();
            }
            ObjectNode data = mapper.createObjectNode();
            data.put("endpoint", endpointId);
            data.put("url", url);
            data.put("failing_since", failingSince.toString());
            data.put("disabled_at", at.toString());
            data.put("reason", reason);
            Outbox.record(c, tenant, WebhookEventTypes.ENDPOINT_DISABLED, data, at);
            return new Recorded(true, Optional.of(failingSince));
        });
    }

    // ---- the delivery log

    List<WebhookDelivery> deliveries(String tenant, Optional<String> endpoint, int limit) {
        return db.inTransaction(c -> {
            Map<String, WebhookDelivery> rows = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM webhook_deliveries WHERE tenant_id = ?"
                    + (endpoint.isPresent() ? " AND endpoint_id = ?" : "")
                    + " ORDER BY message_created_at DESC, message_id DESC, id LIMIT " + limit)) {
                ps.setString(1, tenant);
                if (endpoint.isPresent()) {
                    ps.setString(2, endpoint.get());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.put(rs.getString("id"), delivery(rs, List.of()));
                    }
                }
            }
            Map<String, List<DeliveryAttempt>> attempts = attempts(c, List.copyOf(rows.keySet()));
            List<WebhookDelivery> out = new ArrayList<>();
            for (WebhookDelivery d : rows.values()) {
                out.add(new WebhookDelivery(d.id(), d.endpointId(), d.messageId(), d.type(), d.status(),
                        d.attemptCount(), d.nextAttemptAt(), d.createdAt(), attempts.getOrDefault(d.id(), List.of())));
            }
            return out;
        });
    }

    Optional<WebhookDelivery> delivery(String tenant, String id) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT * FROM webhook_deliveries WHERE tenant_id = ? AND id = ?")) {
                ps.setString(1, tenant);
                ps.setString(2, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(delivery(rs, attempts(c, List.of(id)).getOrDefault(id, List.of())));
                }
            }
        });
    }

    private static WebhookDelivery delivery(ResultSet rs, List<DeliveryAttempt> attempts) throws SQLException {
        return new WebhookDelivery(rs.getString("id"), rs.getString("endpoint_id"), rs.getString("message_id"),
                rs.getString("type"), WebhookDelivery.Status.fromWireName(rs.getString("status")), rs.getInt("attempts"),
                Times.parseNullable(rs.getString("next_attempt_at")), Times.parse(rs.getString("created_at")), attempts);
    }

    private static Map<String, List<DeliveryAttempt>> attempts(Connection c, List<String> deliveryIds)
            throws SQLException {
        Map<String, List<DeliveryAttempt>> out = new HashMap<>();
        for (int from = 0; from < deliveryIds.size(); from += 500) {
            List<String> chunk = deliveryIds.subList(from, Math.min(deliveryIds.size(), from + 500));
            String marks = String.join(", ", java.util.Collections.nCopies(chunk.size(), "?"));
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM webhook_attempts WHERE delivery_id IN ("
                    + marks + ") ORDER BY delivery_id, attempt")) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int code = rs.getInt("status_code");
                        Optional<Integer> status = rs.wasNull() ? Optional.empty() : Optional.of(code);
                        out.computeIfAbsent(rs.getString("delivery_id"), k -> new ArrayList<>())
                                .add(new DeliveryAttempt(rs.getInt("attempt"),
                                        DeliveryAttempt.Trigger.fromWireName(rs.getString("trigger_kind")),
                                        Times.parse(rs.getString("attempted_at")), status,
                                        Optional.ofNullable(rs.getString("error")), rs.getLong("duration_ms")));
                    }
                }
            }
        }
        return out;
    }

    // ---- JSON columns

    private String typesJson(List<String> types) {
        ArrayNode a = mapper.createArrayNode();
        types.forEach(a::add);
        return a.toString();
    }

    private List<String> types(String json) {
        try {
            List<String> out = new ArrayList<>();
            JsonNode n = mapper.readTree(json);
            n.forEach(t -> out.add(t.asText()));
            return out;
        } catch (IOException e) {
            throw new StoreException("stored event types are unreadable", e);
        }
    }
}

package dev.tally.engine.entitlement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.AlertRuleJson;
import dev.tally.core.billing.FeatureJson;
import dev.tally.core.billing.FeatureOverride;
import dev.tally.core.event.Json;
import dev.tally.engine.notify.Outbox;
import dev.tally.engine.notify.WebhookEventTypes;
import dev.tally.engine.store.Database;
import dev.tally.engine.store.StoreException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Persistence of overrides, alerts, alert firings and hard-limit exhaustions, and the change counter that keeps
 * the in-memory views of several processes in step. Each method is one transaction (or joins the caller's).
 */
final class EntitlementStore {
    static final String CUSTOMER = "customer";
    static final String ALERTS = "alerts";

    private final Database db;
    private final boolean shared;
    private final ObjectMapper mapper = Json.newMapper();

    EntitlementStore(Database db) {
        this.db = db;
        this.shared = db.isPostgres();
    }

    /** Whether other processes may share the database (PostgreSQL), so changes are counted for them. */
    boolean shared() {
        return shared;
    }

    /**
     * Records a change of {@code subject} for other processes ({@link #bump}) in the caller's transaction; nothing
     * on SQLite, which one process owns.
     */
    void changed(Connection c, String tenant, String kind, String subject) throws SQLException {
        if (shared) {
            bump(c, tenant, kind, subject);
        }
    }

    // ---- change tracking

    /**
     * Records, in the caller's transaction, that {@code subject} (a customer, or the tenant's alerts) changed: the
     * tenant's counter goes up by one and the subject remembers the new value. The counter's row lock orders the
     * generations like the commits, so a reader that sees generation n has every change up to n.
     */
    static long bump(Connection c, String tenant, String kind, String subject) throws SQLException {
        long generation;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO entitlement_generations (tenant_id, generation) VALUES (?, 1) ON CONFLICT (tenant_id) "
                        + "DO UPDATE SET generation = entitlement_generations.generation + 1 RETURNING generation")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                generation = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO entitlement_changes (tenant_id, kind, subject, generation) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT (tenant_id, kind, subject) DO UPDATE SET generation = excluded.generation")) {
            ps.setString(1, tenant);
            ps.setString(2, kind);
            ps.setString(3, subject);
            ps.setLong(4, generation);
            ps.executeUpdate();
        }
        return generation;
    }

    /** Every tenant's change counter. */
    Map<String, Long> generations() {
        return db.inTransaction(c -> {
            Map<String, Long> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT tenant_id, generation FROM entitlement_generations");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        });
    }

    long generation(String tenant) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT generation FROM entitlement_generations WHERE tenant_id = ?")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    /** One changed subject. */
    record Change(String kind, String subject, long generation) {
    }

    /** The subjects of a tenant that changed after generation {@code after}, in generation order. */
    List<Change> changesSince(String tenant, long after) {
        return db.inTransaction(c -> {
            List<Change> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT kind, subject, generation FROM entitlement_changes "
                    + "WHERE tenant_id = ? AND generation > ? ORDER BY generation")) {
                ps.setString(1, tenant);
                ps.setLong(2, after);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Change(rs.getString(1), rs.getString(2), rs.getLong(3)));
                    }
                }
            }
            return out;
        });
    }

    // ---- overrides

    void putOverride(String tenant, String customer, String feature, FeatureOverride o, Instant now) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO entitlement_overrides (tenant_id, customer_id, feature_key, definition, updated_at) "
                            + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, customer_id, feature_key) DO UPDATE SET "
                            + "definition = excluded.definition, updated_at = excluded.updated_at")) {
                ps.setString(1, tenant);
                ps.setString(2, customer);
                ps.setString(3, feature);
                ps.setString(4, FeatureJson.writeOverride(o).toString());
                ps.setString(5, now.toString());
                ps.executeUpdate();
            }
            changed(c, tenant, CUSTOMER, customer);
            return null;
        });
    }

    /** Removes an override; returns whether there was one. */
    boolean deleteOverride(String tenant, String customer, String feature) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM entitlement_overrides "
                    + "WHERE tenant_id = ? AND customer_id = ? AND feature_key = ?")) {
                ps.setString(1, tenant);
                ps.setString(2, customer);
                ps.setString(3, feature);
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            changed(c, tenant, CUSTOMER, customer);
            return true;
        });
    }

    /** A customer's overrides by feature key. */
    Map<String, FeatureOverride> overrides(String tenant, String customer) {
        return overridesWhere("tenant_id = ? AND customer_id = ?", tenant, customer).getOrDefault(customer, Map.of());
    }

    /** Every override of a tenant, by customer then feature key. */
    Map<String, Map<String, FeatureOverride>> allOverrides(String tenant) {
        return overridesWhere("tenant_id = ?", tenant);
    }

    private Map<String, Map<String, FeatureOverride>> overridesWhere(String where, String... args) {
        return db.inTransaction(c -> {
            Map<String, Map<String, FeatureOverride>> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT customer_id, feature_key, definition "
                    + "FROM entitlement_overrides WHERE " + where)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setString(i + 1, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getString(1), k -> new TreeMap<>())
                                .put(rs.getString(2), FeatureJson.readOverride(json(rs.getString(3))));
                    }
                }
            }
            return out;
        });
    }

    // ---- alerts

    void insertAlert(Alert a) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO alerts (id, tenant_id, definition, created_at) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, a.id());
                ps.setString(2, a.tenant());
                ps.setString(3, AlertRuleJson.write(a.rule()).toString());
                ps.setString(4, a.createdAt().toString());
                ps.executeUpdate();
            }
            changed(c, a.tenant(), ALERTS, "");
            return null;
        });
    }

    /** Deletes an alert and its firings; returns whether it existed. */
    boolean deleteAlert(String tenant, String id) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM alerts WHERE tenant_id = ? AND id = ?")) {
                ps.setString(1, tenant);
                ps.setString(2, id);
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM alert_firings WHERE tenant_id = ? AND alert_id = ?")) {
                ps.setString(1, tenant);
                ps.setString(2, id);
                ps.executeUpdate();
            }
            changed(c, tenant, ALERTS, "");
            return true;
        });
    }

    /** A tenant's alerts, oldest first. */
    List<Alert> alerts(String tenant) {
        return db.inTransaction(c -> {
            List<Alert> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, definition, created_at FROM alerts WHERE tenant_id = ? ORDER BY created_at, id")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Alert(rs.getString(1), tenant, AlertRuleJson.read(json(rs.getString(2))),
                                Instant.parse(rs.getString(3))));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Records that an alert's threshold was crossed for a customer in the period starting {@code periodStart},
     * and only if this call made the row, the {@code usage.threshold_crossed} message, in one transaction.
     * Returns whether this call fired it (false: it had fired before, here or in another process).
     */
    boolean fire(Alert a, String customer, Instant periodStart, String threshold, String value, ObjectNode data,
            Instant now) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO alert_firings (alert_id, tenant_id, customer_id, period_start, threshold, value, fired_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, a.id());
                ps.setString(2, a.tenant());
                ps.setString(3, customer);
                ps.setString(4, periodStart.toString());
                ps.setString(5, threshold);
                ps.setString(6, value);
                ps.setString(7, now.toString());
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            Outbox.record(c, a.tenant(), WebhookEventTypes.USAGE_THRESHOLD_CROSSED, data, now);
            return true;
        });
    }

    /** When each threshold of an alert fired for a customer in a period, by threshold. */
    Map<String, Instant> firings(String alertId, String customer, Instant periodStart) {
        return db.inTransaction(c -> {
            Map<String, Instant> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT threshold, fired_at FROM alert_firings "
                    + "WHERE alert_id = ? AND customer_id = ? AND period_start = ?")) {
                ps.setString(1, alertId);
                ps.setString(2, customer);
                ps.setString(3, periodStart.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), Instant.parse(rs.getString(2)));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Records that a customer used up a hard limit in the period starting {@code periodStart}, and only if this call
     * made the row, the {@code entitlement.exhausted} message, in one transaction. Returns whether this call did.
     */
    boolean exhausted(String tenant, String customer, String feature, Instant periodStart, String used,
            ObjectNode data, Instant now) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO entitlement_exhaustions (tenant_id, customer_id, feature_key, period_start, used, "
                            + "exhausted_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, tenant);
                ps.setString(2, customer);
                ps.setString(3, feature);
                ps.setString(4, periodStart.toString());
                ps.setString(5, used);
                ps.setString(6, now.toString());
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            Outbox.record(c, tenant, WebhookEventTypes.ENTITLEMENT_EXHAUSTED, data, now);
            return true;
        });
    }

    private JsonNode json(String s) {
        try {
            return mapper.readTree(s);
        } catch (IOException e) {
            throw new StoreException("stored JSON is unreadable", e);
        }
    }


    // ---- suspensions

    /** The tenant's customers that are suspended now, with their causes. */
    Map<String, Suspension> suspensions(String tenant) {
        return db.inTransaction(c -> Suspensions.active(c, tenant, java.util.Optional.empty()));
    }

    /** The customer's suspension, if any cause is not lifted. */
    java.util.Optional<Suspension> suspension(String tenant, String customer) {
        return java.util.Optional.ofNullable(db.inTransaction(c -> Suspensions.active(c, tenant,
                java.util.Optional.of(customer))).get(customer));
    }
}

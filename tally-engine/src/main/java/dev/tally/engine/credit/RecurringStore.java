package dev.tally.engine.credit;

import dev.tally.engine.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The SQL of recurring grants: which grant each (subscription, rule, period) made, and which boundaries are done. */
final class RecurringStore {
    private final Database db;

    RecurringStore(Database db) {
        this.db = db;
    }

    /** A recurring grant made: the rule (by index in its plan) and the period it was made for. */
    record Made(int ruleIndex, Instant periodStart, Instant periodEnd, String grantId, String rollover) {
    }

    /** The last boundary done of each subscription of a tenant. */
    Map<String, Instant> lastBoundaries(String tenant) {
        return db.inTransaction(c -> {
            Map<String, Instant> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT subscription_id, MAX(boundary_at) FROM "
                    + "credit_recurring_boundaries WHERE tenant_id = ? GROUP BY subscription_id")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), Instant.parse(rs.getString(2)));
                    }
                }
            }
            return out;
        });
    }

    boolean boundaryDone(Connection c, String tenant, String subscription, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM credit_recurring_boundaries WHERE tenant_id = ? "
                + "AND subscription_id = ? AND boundary_at = ?")) {
            ps.setString(1, tenant);
            ps.setString(2, subscription);
            ps.setString(3, at.toString());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Records a boundary as done; false if it already was (the caller rolls its transaction back). */
    boolean markBoundary(Connection c, String tenant, String subscription, Instant at, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO credit_recurring_boundaries (tenant_id, "
                + "subscription_id, boundary_at, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, tenant);
            ps.setString(2, subscription);
            ps.setString(3, at.toString());
            ps.setString(4, now.toString());
            return ps.executeUpdate() == 1;
        }
    }

    /** The recurring grants made for a subscription, by period start then rule. */
    List<Made> made(Connection c, String tenant, String subscription) throws SQLException {
        List<Made> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT rule_index, period_start, period_end, grant_id, rollover "
                + "FROM credit_recurring_grants WHERE tenant_id = ? AND subscription_id = ? "
                + "ORDER BY period_start, rule_index")) {
            ps.setString(1, tenant);
            ps.setString(2, subscription);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Made(rs.getInt(1), Instant.parse(rs.getString(2)), Instant.parse(rs.getString(3)),
                            rs.getString(4), rs.getString(5)));
                }
            }
        }
        return out;
    }

    /** Records a recurring grant; false if that subscription, rule and period already has one. */
    boolean insertMade(Connection c, String tenant, String subscription, Made m, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO credit_recurring_grants (tenant_id, subscription_id, "
                + "rule_index, period_start, period_end, grant_id, rollover, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT DO NOTHING")) {
            ps.setString(1, tenant);
            ps.setString(2, subscription);
            ps.setInt(3, m.ruleIndex());
            ps.setString(4, m.periodStart().toString());
            ps.setString(5, m.periodEnd().toString());
            ps.setString(6, m.grantId());
            ps.setString(7, m.rollover());
            ps.setString(8, now.toString());
            return ps.executeUpdate() == 1;
        }
    }
}

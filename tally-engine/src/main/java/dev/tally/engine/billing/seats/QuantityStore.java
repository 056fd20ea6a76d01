package dev.tally.engine.billing.seats;

import dev.tally.core.billing.seat.QuantityChange;
import dev.tally.core.billing.seat.QuantityHistory;
import dev.tally.engine.store.Database;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The table {@code subscription_quantities}: insert-only. A change's {@code sequence} is one more than the
 * subscription's last, taken in the inserting transaction; the unique constraint on (tenant, subscription, sequence)
 * makes a concurrent second writer fail rather than share a number.
 */
final class QuantityStore {
    private final Database db;

    QuantityStore(Database db) {
        this.db = db;
    }

    /** Stores a change with the next sequence of its subscription; returns it as stored. */
    QuantityChange insert(String tenant, String subscription, String id, String charge, BigDecimal quantity,
            Instant effectiveAt, Instant recordedAt) {
        return db.inTransaction(c -> {
            long sequence = 1;
            try (PreparedStatement ps = c.prepareStatement("SELECT MAX(sequence) FROM subscription_quantities"
                    + " WHERE tenant_id = ? AND subscription_id = ?")) {
                ps.setString(1, tenant);
                ps.setString(2, subscription);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        sequence = rs.getLong(1) + 1;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO subscription_quantities (id, tenant_id,"
                    + " subscription_id, charge_key, sequence, quantity, effective_at, recorded_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, tenant);
                ps.setString(3, subscription);
                ps.setString(4, charge);
                ps.setLong(5, sequence);
                ps.setString(6, quantity.toPlainString());
                ps.setString(7, effectiveAt.toString());
                ps.setString(8, recordedAt.toString());
                ps.executeUpdate();
            }
            return new QuantityChange(id, charge, quantity, effectiveAt, recordedAt, sequence);
        });
    }

    /** Every change of a subscription. */
    QuantityHistory history(String tenant, String subscription) {
        return db.inTransaction(c -> new QuantityHistory(read(c, tenant, subscription)));
    }

    private static List<QuantityChange> read(Connection c, String tenant, String subscription) throws SQLException {
        List<QuantityChange> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, charge_key, sequence, quantity, effective_at,"
                + " recorded_at FROM subscription_quantities WHERE tenant_id = ? AND subscription_id = ?"
                + " ORDER BY sequence")) {
            ps.setString(1, tenant);
            ps.setString(2, subscription);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new QuantityChange(rs.getString("id"), rs.getString("charge_key"),
                            new BigDecimal(rs.getString("quantity")), Instant.parse(rs.getString("effective_at")),
                            Instant.parse(rs.getString("recorded_at")), rs.getLong("sequence")));
                }
            }
        }
        return out;
    }
}

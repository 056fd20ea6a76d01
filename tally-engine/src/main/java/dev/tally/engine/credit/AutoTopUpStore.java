package dev.tally.engine.credit;

import dev.tally.core.money.Money;
import dev.tally.engine.store.Database;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;

/** The SQL of automatic top-ups: one row per wallet, locked (PostgreSQL: FOR UPDATE) while it is checked. */
final class AutoTopUpStore {
    private final Database db;

    AutoTopUpStore(Database db) {
        this.db = db;
    }

    Database db() {
        return db;
    }

    void upsert(String tenant, AutoTopUp t, Instant now) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO credit_auto_top_ups (tenant_id, customer_id, "
                    + "currency, threshold, amount, price, priority, reason, armed, fired, created_at, updated_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 0, ?, ?) ON CONFLICT (tenant_id, customer_id, currency) DO UPDATE "
                    + "SET threshold = excluded.threshold, amount = excluded.amount, price = excluded.price, "
                    + "priority = excluded.priority, reason = excluded.reason, updated_at = excluded.updated_at")) {
                ps.setString(1, tenant);
                ps.setString(2, t.customer());
                ps.setString(3, t.currency().getCurrencyCode());
                ps.setString(4, t.threshold().plainString());
                ps.setString(5, t.amount().plainString());
                ps.setString(6, t.price().plainString());
                ps.setInt(7, t.priority());
                ps.setString(8, t.reason());
                ps.setString(9, now.toString());
                ps.setString(10, now.toString());
                ps.executeUpdate();
            }
            return null;
        });
    }

    boolean delete(String tenant, String customer, Currency currency) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM credit_auto_top_ups WHERE tenant_id = ? AND customer_id = ? AND currency = ?")) {
                ps.setString(1, tenant);
                ps.setString(2, customer);
                ps.setString(3, currency.getCurrencyCode());
                return ps.executeUpdate() == 1;
            }
        });
    }

    Optional<AutoTopUp> get(String tenant, String customer, Currency currency) {
        return db.inTransaction(c -> read(c, tenant, customer, currency, false));
    }

    /** The row, locked until the transaction ends (other processes checking it wait). */
    Optional<AutoTopUp> lock(Connection c, String tenant, String customer, Currency currency) throws SQLException {
        return read(c, tenant, customer, currency, db.isPostgres());
    }

    /** Every configured wallet of a tenant as {customer, currency}. */
    List<String[]> all(String tenant) {
        return db.inTransaction(c -> {
            List<String[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT customer_id, currency FROM credit_auto_top_ups "
                    + "WHERE tenant_id = ? ORDER BY customer_id, currency")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new String[] {rs.getString(1), rs.getString(2)});
                    }
                }
            }
            return out;
        });
    }

    void setState(Connection c, String tenant, String customer, Currency currency, boolean armed, long fired,
            Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE credit_auto_top_ups SET armed = ?, fired = ?, updated_at = ? "
                + "WHERE tenant_id = ? AND customer_id = ? AND currency = ?")) {
            ps.setInt(1, armed ? 1 : 0);
            ps.setLong(2, fired);
            ps.setString(3, now.toString());
            ps.setString(4, tenant);
            ps.setString(5, customer);
            ps.setString(6, currency.getCurrencyCode());
            ps.executeUpdate();
        }
    }

    private Optional<AutoTopUp> read(Connection c, String tenant, String customer, Currency currency, boolean forUpdate)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM credit_auto_top_ups WHERE tenant_id = ? AND "
                + "customer_id = ? AND currency = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setString(1, tenant);
            ps.setString(2, customer);
            ps.setString(3, currency.getCurrencyCode());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new AutoTopUp(customer, money(rs, "threshold", currency), money(rs, "amount", currency),
                        money(rs, "price", currency), rs.getInt("priority"), rs.getString("reason"),
                        rs.getInt("armed") == 1, rs.getLong("fired")));
            }
        }
    }

    private static Money money(ResultSet rs, String column, Currency currency) throws SQLException {
        return new Money(new BigDecimal(rs.getString(column)), currency);
    }
}

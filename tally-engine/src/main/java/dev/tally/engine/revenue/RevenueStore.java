package dev.tally.engine.revenue;

import dev.tally.engine.store.Database;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the revenue overview reads from the database: invoice rows without their bodies (V2's table, with V41's
 * indexes on {@code updated_at} and {@code (tenant_id, finalized_at)}), and on PostgreSQL the customer change
 * counter the entitlements keep for other processes (V9's {@code entitlement_generations} and
 * {@code entitlement_changes}, written in the transaction of every customer and subscription change).
 *
 * <p>Instants are stored as {@code Instant.toString()}, whose text orders like the instant except within one second
 * (a fraction sorts before the whole second); every range here is widened by a second and filtered exactly after
 * parsing.
 */
final class RevenueStore {
    private static final String COLUMNS = "tenant_id, id, customer_id, status, currency, total, finalized_at, boundary_at, updated_at";
    private static final Duration SLACK = Duration.ofSeconds(1);

    private final Database db;

    RevenueStore(Database db) {
        this.db = db;
    }

    /** An invoice as the sums see it; {@code at} is when it was finalized (its boundary when it never was). */
    record InvoiceRow(String tenant, String id, String customer, String status, String currency, BigDecimal total,
            Instant at, Instant updatedAt) {
    }

    boolean shared() {
        return db.isPostgres();
    }

    /** A tenant's drafts, and its finalized and paid invoices finalized at or after {@code closedFrom}. */
    List<InvoiceRow> openAndRecent(String tenant, Instant closedFrom) {
        List<InvoiceRow> out = rows("SELECT " + COLUMNS + " FROM invoices WHERE tenant_id = ? AND status = 'draft'",
                tenant);
        for (InvoiceRow r : rows("SELECT " + COLUMNS + " FROM invoices WHERE tenant_id = ? AND status IN "
                + "('finalized', 'paid') AND (finalized_at IS NULL OR finalized_at >= ?)", tenant,
                closedFrom.minus(SLACK).toString())) {
            if (!r.at().isBefore(closedFrom)) {
                out.add(r);
            }
        }
        return out;
    }

    /** A tenant's finalized and paid invoices finalized in [from, to) (the slow path, for windows before the horizon). */
    List<InvoiceRow> closedBetween(String tenant, Instant from, Instant to) {
        List<InvoiceRow> out = new ArrayList<>();
        for (InvoiceRow r : rows("SELECT " + COLUMNS + " FROM invoices WHERE tenant_id = ? AND status IN "
                + "('finalized', 'paid') AND (finalized_at IS NULL OR (finalized_at >= ? AND finalized_at < ?))", tenant,
                from.minus(SLACK).toString(), to.plus(SLACK).toString())) {
            if (!r.at().isBefore(from) && r.at().isBefore(to)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Every invoice row (of every tenant) updated at or after {@code since} (an index range on updated_at). */
    List<InvoiceRow> updatedSince(Instant since) {
        List<InvoiceRow> out = new ArrayList<>();
        for (InvoiceRow r : rows("SELECT " + COLUMNS + " FROM invoices WHERE updated_at >= ?",
                since.minus(SLACK).toString())) {
            if (!r.updatedAt().isBefore(since)) {
                out.add(r);
            }
        }
        return out;
    }

    /** The currencies of a tenant's invoices that are finalized, paid or in draft. */
    Set<String> currencies(String tenant) {
        return db.inTransaction(c -> {
            Set<String> out = new TreeSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT currency FROM invoices WHERE tenant_id = ? "
                    + "AND status IN ('draft', 'finalized', 'paid')")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    private List<InvoiceRow> rows(String sql, String... args) {
        return db.inTransaction(c -> {
            List<InvoiceRow> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setString(i + 1, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(rs));
                    }
                }
            }
            return out;
        });
    }

    private static InvoiceRow row(ResultSet rs) throws SQLException {
        String finalized = rs.getString("finalized_at");
        Instant at = Instant.parse(finalized != null ? finalized : rs.getString("boundary_at"));
        return new InvoiceRow(rs.getString("tenant_id"), rs.getString("id"), rs.getString("customer_id"),
                rs.getString("status"),
                rs.getString("currency"), new BigDecimal(rs.getString("total")), at,
                Instant.parse(rs.getString("updated_at")));
    }

    // ---- other processes' customer changes (PostgreSQL)

    /** Every tenant's customer change counter (the entitlements' {@code entitlement_generations}). */
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

    /** A customer changed at generation {@code generation} of its tenant's counter. */
    record CustomerChange(String customer, long generation) {
    }

    /** The customers of a tenant changed (created, updated, subscribed, plan changed, cancelled) after {@code after}. */
    List<CustomerChange> customersChangedAfter(String tenant, long after) {
        return db.inTransaction(c -> {
            List<CustomerChange> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT subject, generation FROM entitlement_changes "
                    + "WHERE tenant_id = ? AND kind = 'customer' AND generation > ? ORDER BY generation")) {
                ps.setString(1, tenant);
                ps.setLong(2, after);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new CustomerChange(rs.getString(1), rs.getLong(2)));
                    }
                }
            }
            return out;
        });
    }
}

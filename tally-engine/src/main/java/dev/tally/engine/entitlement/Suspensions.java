package dev.tally.engine.entitlement;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Suspensions of customers' entitlements, stored as facts ({@code customer_suspensions}): one {@code suspended} row
 * per cause and at most one {@code lifted} row per cause, each inserted once (a unique constraint per customer, cause
 * and kind makes a repeated suspend or lift a no-op, also across processes). {@link #suspend} and {@link #lift} join
 * the caller's transaction and count the change for other processes sharing the database; after the commit the
 * caller calls {@link Entitlements#suspensionChanged} so this process's checks see it.
 */
public final class Suspensions {
    private final EntitlementStore store;

    Suspensions(EntitlementStore store) {
        this.store = store;
    }

    /** Suspends the customer for {@code cause}; false when this cause already suspended it (nothing changes). */
    public boolean suspend(Connection c, String tenant, String customer, String cause, SuspensionMode mode, Instant at,
            Optional<Instant> hardFrom) throws SQLException {
        new Suspension.Cause(cause, mode, at, hardFrom);
        boolean inserted = insert(c, tenant, customer, cause, "suspended", mode.wireName(), at, hardFrom);
        if (inserted) {
            store.changed(c, tenant, EntitlementStore.CUSTOMER, customer);
        }
        return inserted;
    }

    /** Lifts the suspension of {@code cause}; false when it was not suspended for it or is already lifted. */
    public boolean lift(Connection c, String tenant, String customer, String cause, Instant at) throws SQLException {
        String mode;
        try (PreparedStatement ps = c.prepareStatement("SELECT mode FROM customer_suspensions WHERE tenant_id = ? "
                + "AND customer_id = ? AND cause = ? AND kind = 'suspended'")) {
            ps.setString(1, tenant);
            ps.setString(2, customer);
            ps.setString(3, cause);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                mode = rs.getString(1);
            }
        }
        boolean inserted = insert(c, tenant, customer, cause, "lifted", mode, at, Optional.empty());
        if (inserted) {
            store.changed(c, tenant, EntitlementStore.CUSTOMER, customer);
        }
        return inserted;
    }

    /** The causes suspended and not lifted, by customer (all of a tenant's, or one customer's). */
    static Map<String, Suspension> active(Connection c, String tenant, Optional<String> customer) throws SQLException {
        Map<String, List<Suspension.Cause>> causes = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT s.customer_id, s.cause, s.mode, s.at, s.hard_from "
                + "FROM customer_suspensions s WHERE s.tenant_id = ? AND s.kind = 'suspended'"
                + (customer.isPresent() ? " AND s.customer_id = ?" : "")
                + " AND NOT EXISTS (SELECT 1 FROM customer_suspensions l WHERE l.tenant_id = s.tenant_id "
                + "AND l.customer_id = s.customer_id AND l.cause = s.cause AND l.kind = 'lifted')")) {
            ps.setString(1, tenant);
            if (customer.isPresent()) {
                ps.setString(2, customer.get());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    causes.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new Suspension.Cause(
                            rs.getString(2), SuspensionMode.fromWireName(rs.getString(3)).orElseThrow(),
                            Instant.parse(rs.getString(4)), Optional.ofNullable(rs.getString(5)).map(Instant::parse)));
                }
            }
        }
        Map<String, Suspension> out = new HashMap<>();
        causes.forEach((k, v) -> out.put(k, new Suspension(k, v)));
        return out;
    }

    private static boolean insert(Connection c, String tenant, String customer, String cause, String kind, String mode,
            Instant at, Optional<Instant> hardFrom) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO customer_suspensions (id, tenant_id, customer_id, "
                + "cause, kind, mode, at, hard_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (tenant_id, customer_id, cause, kind) DO NOTHING")) {
            ps.setString(1, "sus_" + java.util.UUID.randomUUID().toString().replace("-", ""));
            ps.setString(2, tenant);
            ps.setString(3, customer);
            ps.setString(4, cause);
            ps.setString(5, kind);
            ps.setString(6, mode);
            ps.setString(7, at.toString());
            ps.setString(8, hardFrom.map(Instant::toString).orElse(null));
            return ps.executeUpdate() == 1;
        }
    }
}

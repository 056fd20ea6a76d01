package dev.tally.engine.access;

import dev.tally.engine.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/**
 * Each customer's portal-token generation, stored with the customer ({@code customers.portal_token_generation},
 * 0 at first): tokens carry the generation they were issued under and are good only while it is current, so
 * incrementing it revokes every earlier token, on every process sharing the database (each portal request
 * reads it).
 */
final class PortalTokenGenerations {
    private final Database db;

    PortalTokenGenerations(Database db) {
        this.db = db;
    }

    /** The customer's current generation, or empty when the tenant has no such customer. */
    Optional<Long> current(String tenant, String customer) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT portal_token_generation FROM customers WHERE tenant_id = ? AND external_id = ?")) {
                ps.setString(1, tenant);
                ps.setString(2, customer);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
                }
            }
        });
    }

    /** Increments the customer's generation; returns the new one, or empty when there is no such customer. */
    Optional<Long> bump(String tenant, String customer) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE customers SET portal_token_generation = "
                    + "portal_token_generation + 1 WHERE tenant_id = ? AND external_id = ?")) {
                ps.setString(1, tenant);
                ps.setString(2, customer);
                if (ps.executeUpdate() != 1) {
                    return Optional.empty();
                }
            }
            return current(tenant, customer);
        });
    }
}

package dev.tally.engine.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;

/**
 * Records webhook messages in the caller's transaction: call {@link #record} with the connection of the
 * transaction that makes the change (e.g. the one finalizing an invoice), so the message exists exactly
 * when the change committed. Delivery reads the table later.
 */
public final class Outbox {
    private Outbox() {
    }

    /** Records one message; returns its id ({@code msg_...}, also the Standard Webhooks {@code webhook-id}). */
    public static String record(Connection c, String tenant, String type, ObjectNode payload, Instant now)
            throws SQLException {
        String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO outbox_messages (id, tenant_id, type, payload, created_at) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, tenant);
            ps.setString(3, type);
            ps.setString(4, payload.toString());
            ps.setString(5, now.toString());
            ps.executeUpdate();
        }
        return id;
    }
}

package dev.tally.engine.notify;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records webhook messages in the caller's transaction: call {@link #record} with the connection of the
 * transaction that makes the change (e.g. the one finalizing an invoice), so the message exists exactly
 * when the change committed. Delivery reads the table later ({@link Webhooks}). This is the one place that
 * builds a message body: every message of every type is the envelope
 * {@code {"type": ..., "timestamp": ..., "data": {...}}}, whatever its producer.
 */
public final class Outbox {
    /** Ids sort in recording order within a process (and roughly across processes): time-seeded, then counted. */
    private static final AtomicLong SEQUENCE = new AtomicLong(System.currentTimeMillis() << 12);

    private Outbox() {
    }

    /**
     * Records one message of a known type ({@link WebhookEventTypes#ALL}) whose {@code data} is the given object,
     * wrapped in the envelope with {@code now} as its timestamp; returns its id ({@code msg_...}, also the
     * Standard Webhooks {@code webhook-id}).
     */
    public static String record(Connection c, String tenant, String type, ObjectNode data, Instant now)
            throws SQLException {
        if (!WebhookEventTypes.ALL.contains(type)) {
            throw new IllegalArgumentException("unknown webhook type " + type + "; add it to WebhookEventTypes.ALL");
        }
        ObjectNode payload = envelope(type, now, data);
        String id = String.format("msg_%016x%08x", SEQUENCE.incrementAndGet(), ThreadLocalRandom.current().nextInt());
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

    /** The Standard Webhooks payload shape: {@code {"type": ..., "timestamp": ..., "data": {...}}}. */
    private static ObjectNode envelope(String type, Instant timestamp, ObjectNode data) {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("type", type);
        p.put("timestamp", timestamp.toString());
        p.set("data", data);
        return p;
    }
}

package dev.tally.engine.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.event.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The invoice transitions a scheduled run made, read back from the webhook outbox (billing writes an
 * {@code invoice.*} message in the same transaction as each transition, so the outbox is a complete list of them
 * without a hook inside billing): each becomes one audit record whose patch moves the invoice's status from the
 * state it left to the one it entered.
 */
final class InvoiceTransitions {
    private static final ObjectMapper MAPPER = Json.newMapper();

    private InvoiceTransitions() {
    }

    static List<AuditEntry> since(Connection c, String tenant, Instant since, Actor actor) throws SQLException {
        List<AuditEntry> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, type, payload, created_at FROM outbox_messages"
                + " WHERE tenant_id = ? AND type IN ('invoice.created', 'invoice.finalized', 'invoice.paid',"
                + " 'invoice.voided') AND created_at >= ? ORDER BY id")) {
            ps.setString(1, tenant);
            // ISO text does not sort by time across precisions: select by the second, filter exactly below
            ps.setString(2, since.truncatedTo(ChronoUnit.SECONDS).minusSeconds(1).toString().replace("Z", ""));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (Instant.parse(rs.getString("created_at")).isBefore(since)) {
                        continue;
                    }
                    JsonNode data;
                    try {
                        data = MAPPER.readTree(rs.getString("payload")).path("data");
                    } catch (JsonProcessingException e) {
                        continue;
                    }
                    if (!data.isObject() || !data.hasNonNull("id")) {
                        continue;
                    }
                    String type = rs.getString("type");
                    Optional<JsonNode> before = switch (type) {
                        case "invoice.created" -> Optional.empty();
                        case "invoice.finalized" -> Optional.of(((ObjectNode) data.deepCopy()).put("status", "draft"));
                        default -> Optional.of(((ObjectNode) data.deepCopy()).put("status", "open"));
                    };
                    out.add(new AuditEntry(tenant, actor, "invoice", data.get("id").asText(), type, Optional.empty(),
                            before, Optional.of(data)));
                }
            }
        }
        return out;
    }
}

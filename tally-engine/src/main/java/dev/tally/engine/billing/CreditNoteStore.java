package dev.tally.engine.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.event.Json;
import dev.tally.core.money.Money;
import dev.tally.engine.store.Database;
import dev.tally.engine.store.StoreException;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Persistence of credit notes: each stored with the tenant's next credit-note number (gapless, in the storing
 * transaction) and its {@code credit_note.created} message.
 */
final class CreditNoteStore {
    private final Database db;
    private final ObjectMapper mapper = Json.newMapper();

    CreditNoteStore(Database db) {
        this.db = db;
    }

    /** Stores a credit note with the tenant's next credit-note number; returns the number. */
    String insertCreditNote(String tenant, String id, String invoiceId, String reason, Money total, JsonNode body,
            Instant now) {
        return db.inTransaction(c -> {
            String number = String.format("CN-%06d", BillingStore.nextNumber(c, tenant, "credit_note"));
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO credit_notes (id, tenant_id, number, invoice_id, reason, currency, total, body, created_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, tenant);
                ps.setString(3, number);
                ps.setString(4, invoiceId);
                ps.setString(5, reason);
                ps.setString(6, total.currency().getCurrencyCode());
                ps.setString(7, total.amount().toPlainString());
                ps.setString(8, body.toString());
                ps.setString(9, now.toString());
                ps.executeUpdate();
            }
            InvoiceMessages.creditNote(c, tenant, id, number, invoiceId, reason, total, body, now);
            return number;
        });
    }

    /** The bodies of the credit notes against an invoice (each has "lines": [{"line_id","amount"}]). */
    List<JsonNode> creditNotes(String tenant, String invoiceId) {
        return db.inTransaction(c -> {
            List<JsonNode> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, number, reason, total, currency, body, created_at FROM credit_notes WHERE tenant_id = ? AND invoice_id = ? ORDER BY number")) {
                ps.setString(1, tenant);
                ps.setString(2, invoiceId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ObjectNode o = (ObjectNode) json(rs.getString("body"));
                        o.put("id", rs.getString("id")).put("number", rs.getString("number"))
                                .put("invoice", invoiceId).put("reason", rs.getString("reason"))
                                .put("total", rs.getString("total")).put("currency", rs.getString("currency"))
                                .put("created_at", rs.getString("created_at"));
                        out.add(o);
                    }
                }
            }
            return out;
        });
    }

    private JsonNode json(String s) {
        try {
            return mapper.readTree(s);
        } catch (IOException e) {
            throw new StoreException("stored JSON of a credit note is unreadable", e);
        }
    }
}

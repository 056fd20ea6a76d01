package dev.tally.engine.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.money.Money;
import dev.tally.engine.notify.Outbox;
import dev.tally.engine.notify.WebhookEventTypes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The webhook messages of invoices and credit notes, recorded in the transaction that makes the change (so a
 * rolled-back change has no message and a committed one has exactly one). The data is the row as that
 * transaction sees it.
 */
final class InvoiceMessages {
    private InvoiceMessages() {
    }

    /** Records {@code type} ({@code invoice.created}, {@code .finalized}, {@code .paid}, {@code .voided}) for an invoice. */
    static void invoice(Connection c, String type, String invoiceId, Instant now) throws SQLException {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        String tenant;
        try (PreparedStatement ps = c.prepareStatement("SELECT tenant_id, number, status, customer_id, subscription_id, "
                + "currency, subtotal, tax, total, period_start, period_end, boundary_at, created_at, finalize_after, "
                + "finalized_at, paid_at, voided_at, amount_due FROM invoices WHERE id = ?")) {
            ps.setString(1, invoiceId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("invoice " + invoiceId + " is not in this transaction");
                }
                tenant = rs.getString("tenant_id");
                data.put("id", invoiceId);
                data.put("number", rs.getString("number"));
                data.put("status", rs.getString("status"));
                data.put("customer", rs.getString("customer_id"));
                data.put("subscription", rs.getString("subscription_id"));
                data.put("currency", rs.getString("currency"));
                data.put("subtotal", rs.getString("subtotal"));
                data.put("tax", rs.getString("tax"));
                data.put("total", rs.getString("total"));
                // credits are drawn at finalization; a draft's amount due is its total (0 when it is negative)
                String due = rs.getString("amount_due");
                java.math.BigDecimal total = new java.math.BigDecimal(rs.getString("total"));
                data.put("amount_due", due != null ? due
                        : (total.signum() < 0 ? total.multiply(java.math.BigDecimal.ZERO) : total).toPlainString());
                data.put("period_start", rs.getString("period_start"));
                data.put("period_end", rs.getString("period_end"));
                data.put("issued_for", rs.getString("boundary_at"));
                data.put("created_at", rs.getString("created_at"));
                data.put("finalize_after", rs.getString("finalize_after"));
                data.put("finalized_at", rs.getString("finalized_at"));
                data.put("paid_at", rs.getString("paid_at"));
                data.put("voided_at", rs.getString("voided_at"));
            }
        }
        Outbox.record(c, tenant, type, data, now);
    }

    /** Records {@code credit_note.created}. */
    static void creditNote(Connection c, String tenant, String id, String number, String invoiceId, String reason,
            Money total, JsonNode body, Instant now) throws SQLException {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("id", id);
        data.put("number", number);
        data.put("invoice", invoiceId);
        try (PreparedStatement ps = c.prepareStatement("SELECT number, customer_id FROM invoices WHERE id = ?")) {
            ps.setString(1, invoiceId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    data.put("invoice_number", rs.getString(1));
                    data.put("customer", rs.getString(2));
                }
            }
        }
        data.put("reason", reason);
        data.put("currency", total.currency().getCurrencyCode());
        data.put("subtotal", body.path("subtotal").asText(null));
        data.put("total", total.amount().toPlainString());
        data.set("lines", body.path("lines").isArray() ? body.get("lines").deepCopy() : data.arrayNode());
        data.set("taxes", body.path("taxes").isArray() ? body.get("taxes").deepCopy() : data.arrayNode());
        data.put("created_at", now.toString());
        Outbox.record(c, tenant, WebhookEventTypes.CREDIT_NOTE_CREATED, data, now);
    }
}

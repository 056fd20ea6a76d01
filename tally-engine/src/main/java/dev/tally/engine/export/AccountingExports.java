package dev.tally.engine.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.money.Money;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.payment.PaymentFact;
import dev.tally.engine.payment.Payments;
import dev.tally.engine.store.Database;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;

/**
 * Accounting exports of one tenant for a period [from, to): {@link #invoices} (every invoice finalized in it, a row
 * per line, oldest first), {@link #creditNotes} (every credit note created in it, a row per credited line) and
 * {@link #payments} (every payment fact recorded in it, a row per fact). The columns are the constants below, in that
 * order, and never change meaning; a new column would only be added at the end. Amount columns are exact decimals
 * with exactly the currency's number of decimals ({@code 12.30} EUR, {@code 1230} JPY, {@code 1.230} BHD); the
 * {@code *_minor} columns are the same amounts as whole numbers of the minor unit ({@code 1230} cents). Empty
 * fields are absent values. Status-like columns ({@code invoice_status}) are as of the export. Rows are written as
 * each document is read: only the period's keys (id and instant) are held in memory, never the documents.
 */
public final class AccountingExports {
    public static final List<String> INVOICE_COLUMNS = List.of("invoice_id", "invoice_number", "invoice_status",
            "customer", "currency", "issued_at", "due_date", "period_start", "period_end", "line_id", "line_kind",
            "charge_key", "description", "quantity", "unit_price", "line_amount", "line_amount_minor", "invoice_subtotal",
            "invoice_tax", "invoice_total", "credits_applied", "amount_due", "amount_due_minor");
    public static final List<String> CREDIT_NOTE_COLUMNS = List.of("credit_note_id", "credit_note_number", "invoice_id",
            "invoice_number", "customer", "currency", "created_at", "reason", "refund", "line_id", "line_amount",
            "line_amount_minor", "note_subtotal", "note_tax", "note_total", "note_total_minor");
    public static final List<String> PAYMENT_COLUMNS = List.of("payment_id", "invoice_id", "invoice_number", "customer",
            "outcome", "amount", "amount_minor", "currency", "provider", "reference", "reason", "occurred_at",
            "recorded_at");

    private final Database db;
    private final Billing billing;
    private final Payments payments;

    public AccountingExports(Database db, Billing billing, Payments payments) {
        this.db = db;
        this.billing = billing;
        this.payments = payments;
    }

    public void invoices(String tenant, Instant from, Instant to, CsvWriter out) {
        for (Key k : keys("SELECT id, finalized_at, id, id FROM invoices WHERE tenant_id = ? AND finalized_at IS NOT NULL "
                + "AND finalized_at >= ? AND finalized_at < ?", tenant, from, to)) {
            Invoice inv = billing.invoice(tenant, k.id());
            Currency cur = inv.totals().currency();
            for (InvoiceLine l : inv.lines()) {
                out.row(List.of(inv.id(), inv.number().orElse(""), inv.status().wireName(), inv.customer(),
                        cur.getCurrencyCode(), inv.finalizedAt().orElseThrow().toString(),
                        inv.dueDate().map(Object::toString).orElse(""), inv.period().start().toString(),
                        inv.period().end().toString(), l.lineId(), l.kind().wireName(),
                        l.chargeKey(), l.description(), l.quantity().toPlainString(), l.unitPrice().toPlainString(),
                        decimal(l.amount()), minor(l.amount()), decimal(inv.totals().subtotal()),
                        decimal(inv.totals().taxTotal()), decimal(inv.totals().total()),
                        decimal(inv.credits().creditsApplied()), decimal(inv.amountDue()), minor(inv.amountDue())));
            }
        }
    }

    public void creditNotes(String tenant, Instant from, Instant to, CsvWriter out) {
        for (Key k : keys("SELECT id, created_at, number, invoice_id FROM credit_notes WHERE tenant_id = ? "
                + "AND created_at >= ? AND created_at < ?", tenant, from, to)) {
            JsonNode n = billing.creditNotes(tenant, k.parent()).stream()
                    .filter(x -> x.get("id").asText().equals(k.id())).findFirst().orElseThrow();
            Invoice inv = billing.invoice(tenant, k.parent());
            Currency cur = Currency.getInstance(n.get("currency").asText());
            BigDecimal tax = BigDecimal.ZERO;
            for (JsonNode t : n.path("taxes")) {
                tax = tax.add(new BigDecimal(t.get("amount").asText()));
            }
            Money total = new Money(new BigDecimal(n.get("total").asText()), cur);
            for (JsonNode l : n.path("lines")) {
                Money amount = new Money(new BigDecimal(l.get("amount").asText()), cur);
                out.row(List.of(n.get("id").asText(), n.get("number").asText(), inv.id(), inv.number().orElse(""),
                        inv.customer(), cur.getCurrencyCode(), n.get("created_at").asText(), n.path("reason").asText(""),
                        n.path("refund").asText(""), l.get("line_id").asText(), decimal(amount), minor(amount),
                        decimal(new Money(new BigDecimal(n.path("subtotal").asText(total.amount().toPlainString())), cur)),
                        decimal(new Money(tax, cur)), decimal(total), minor(total)));
            }
        }
    }

    public void payments(String tenant, Instant from, Instant to, CsvWriter out) {
        for (Key k : keys("SELECT id, recorded_at, id, invoice_id FROM payment_facts WHERE tenant_id = ? "
                + "AND recorded_at >= ? AND recorded_at < ?", tenant, from, to)) {
            PaymentFact f = payments.fact(tenant, k.id()).orElseThrow();
            Invoice inv = billing.invoice(tenant, f.invoiceId());
            Money amount = new Money(f.amount(), f.currency());
            out.row(List.of(f.id(), inv.id(), inv.number().orElse(""), inv.customer(), f.kind().wireName(),
                    decimal(amount), minor(amount), f.currency().getCurrencyCode(), f.provider(), f.reference(),
                    f.reason(), f.occurredAt().toString(), f.recordedAt().toString()));
        }
    }

    /** A document of an export: its id, the instant that puts it in the period, its tie-breaker, its parent. */
    private record Key(String id, Instant at, String order, String parent) {
    }

    private static boolean within(Instant t, Instant from, Instant to) {
        return !t.isBefore(from) && t.isBefore(to);
    }

    /** The amount with exactly the currency's decimals (amounts here are rounded to it already: exact). */
    static String decimal(Money m) {
        return m.amount().setScale(m.currency().getDefaultFractionDigits()).toPlainString();
    }

    /** The amount as a whole number of the currency's minor unit. */
    static String minor(Money m) {
        return m.amount().movePointRight(m.currency().getDefaultFractionDigits()).toBigIntegerExact().toString();
    }

    /**
     * The keys of the documents in [from, to), oldest first (by instant, then tie-breaker): only these are held in
     * memory; each document is then read and written one at a time. The query's columns are id, instant,
     * tie-breaker, parent. The range is widened by a second on each side (stored instants are ISO strings, whose
     * text order can differ from time order within one second) and filtered exactly here.
     */
    private List<Key> keys(String sql, String tenant, Instant from, Instant to) {
        List<Key> out = db.inTransaction(c -> {
            List<Key> found = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, tenant);
                ps.setString(2, from.minusSeconds(1).toString());
                ps.setString(3, to.plusSeconds(1).toString());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Instant at = Instant.parse(rs.getString(2));
                        if (within(at, from, to)) {
                            found.add(new Key(rs.getString(1), at, rs.getString(3), rs.getString(4)));
                        }
                    }
                }
            }
            return found;
        });
        out.sort(java.util.Comparator.comparing(Key::at).thenComparing(Key::order).thenComparing(Key::id));
        return out;
    }
}

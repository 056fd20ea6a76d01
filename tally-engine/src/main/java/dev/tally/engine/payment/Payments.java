package dev.tally.engine.payment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.billing.InvoiceStatus;
import dev.tally.engine.notify.Outbox;
import dev.tally.engine.notify.WebhookEventTypes;
import dev.tally.engine.store.Database;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The payments facade. {@link #record} adds one fact to an invoice's ledger in one transaction with the derived
 * status row and its webhook message ({@code invoice.payment_succeeded} when the invoice becomes paid in full,
 * {@code invoice.payment_failed} for each failed attempt that leaves it failed); a repeated (provider, reference)
 * with the same content returns the stored fact and records nothing, with other content it is a conflict. Only
 * finalized (or paid) invoices take facts. What is to be collected is the invoice's amount due (after credits). Facts are never updated or deleted.
 */
public final class Payments {
    private static final AtomicLong SEQUENCE = new AtomicLong(System.currentTimeMillis() << 12);

    private final Database db;
    private final Billing billing;
    private final Clock clock;
    private final List<PaymentProvider> collectors = new java.util.concurrent.CopyOnWriteArrayList<>();

    public Payments(Database db, Billing billing, Clock clock) {
        this.db = db;
        this.billing = billing;
        this.clock = clock;
    }

    /** Registers a provider that may collect invoices itself (see {@link PaymentProvider#collects}). */
    public void register(PaymentProvider provider) {
        collectors.add(provider);
    }

    /**
     * Asks the provider that collects the invoice to try again ({@link PaymentProvider#retry}); when none does, the
     * outcome is {@link RetryOutcome.Kind#NOT_COLLECTED}.
     */
    public RetryOutcome retry(String tenant, String invoiceId, String attemptKey) {
        billing.invoice(tenant, invoiceId);
        for (PaymentProvider p : collectors) {
            if (p.collects(tenant, invoiceId)) {
                return p.retry(tenant, invoiceId, attemptKey);
            }
        }
        return RetryOutcome.notCollected(ManualProvider.NAME);
    }

    /** A record's outcome: the stored fact, whether this call created it, and the ledger's state after it. */
    public record Recorded(PaymentFact fact, boolean created, PaymentSummary summary) {
    }

    public Recorded record(PaymentProvider provider, String tenant, String invoiceId, NewFact request) {
        Invoice invoice = billing.invoice(tenant, invoiceId);
        Currency currency = invoice.totals().currency();
        if (request.currency().isPresent() && !request.currency().get().equals(currency.getCurrencyCode())) {
            throw new InvalidPaymentException("currency", "must be the invoice's currency, " + currency.getCurrencyCode());
        }
        if (request.amount().stripTrailingZeros().scale() > currency.getDefaultFractionDigits()) {
            throw new InvalidPaymentException("amount", "has more decimals than " + currency.getCurrencyCode() + " has ("
                    + currency.getDefaultFractionDigits() + ")");
        }
        Instant now = clock.instant();
        Instant occurred = request.occurredAt().orElse(now);
        if (occurred.isAfter(now)) {
            throw new InvalidPaymentException("occurred_at", "must not be in the future");
        }
        BigDecimal amount = request.amount().setScale(currency.getDefaultFractionDigits());
        PaymentFact fact = new PaymentFact(newId(), tenant, invoiceId, request.kind(), amount, currency,
                provider.name(), request.reference(), request.reason(), occurred, now);
        return db.inTransaction(c -> {
            Optional<PaymentFact> existing = byReference(c, tenant, provider.name(), request.reference());
            if (existing.isPresent()) {
                return replay(c, invoice, existing.get(), fact);
            }
            lockInvoice(c, invoiceId);
            InvoiceStatus status = currentStatus(c, invoiceId);
            if (status != InvoiceStatus.FINALIZED && status != InvoiceStatus.PAID) {
                throw new PaymentConflictException("invoice-not-payable",
                        "only a finalized invoice takes payments; this one is " + status.wireName());
            }
            List<PaymentFact> facts = facts(c, tenant, invoiceId);
            PaymentSummary before = PaymentLedger.summarize(currency, invoice.amountDue().amount(), facts);
            PaymentLedger.admit(before, fact);
            if (!insert(c, fact)) {
                // another process stored the same reference between our read and our insert
                return replay(c, invoice, byReference(c, tenant, provider.name(), request.reference()).orElseThrow(), fact);
            }
            facts.add(fact);
            PaymentSummary after = PaymentLedger.summarize(currency, invoice.amountDue().amount(), facts);
            project(c, tenant, invoiceId, after, now);
            String type = after.status() == PaymentStatus.SUCCEEDED && before.status() != PaymentStatus.SUCCEEDED
                    ? WebhookEventTypes.INVOICE_PAYMENT_SUCCEEDED
                    : fact.kind() == FactKind.FAILED && after.status() == PaymentStatus.FAILED
                            ? WebhookEventTypes.INVOICE_PAYMENT_FAILED : null;
            if (type != null) {
                ObjectNode data = PaymentJson.summary(invoice, after);
                data.set("fact", PaymentJson.fact(fact));
                Outbox.record(c, tenant, type, data, now);
            }
            return new Recorded(fact, true, after);
        });
    }

    private Recorded replay(Connection c, Invoice invoice, PaymentFact stored, PaymentFact asked) throws SQLException {
        if (!stored.sameAs(asked)) {
            throw new PaymentConflictException("payment-reference-reused",
                    "this reference is already recorded for a different payment");
        }
        return new Recorded(stored, false, PaymentLedger.summarize(invoice.totals().currency(),
                invoice.amountDue().amount(), facts(c, invoice.tenant(), invoice.id())));
    }

    /** The invoice's ledger, oldest first (by when each fact happened). */
    public List<PaymentFact> facts(String tenant, String invoiceId) {
        billing.invoice(tenant, invoiceId);
        return db.inTransaction(c -> facts(c, tenant, invoiceId));
    }

    /** The invoice's payment state, derived from its ledger now. */
    public PaymentSummary summary(Invoice invoice) {
        return PaymentLedger.summarize(invoice.totals().currency(), invoice.amountDue().amount(),
                db.inTransaction(c -> facts(c, invoice.tenant(), invoice.id())));
    }

    private static String newId() {
        return String.format("pay_%016x%08x", SEQUENCE.incrementAndGet(), ThreadLocalRandom.current().nextInt());
    }

    private void lockInvoice(Connection c, String invoiceId) throws SQLException {
        if (db.isPostgres()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM invoices WHERE id = ? FOR UPDATE")) {
                ps.setString(1, invoiceId);
                ps.executeQuery().close();
            }
        }
    }

    private static InvoiceStatus currentStatus(Connection c, String invoiceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT status FROM invoices WHERE id = ?")) {
            ps.setString(1, invoiceId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return InvoiceStatus.fromWireName(rs.getString(1)).orElseThrow();
            }
        }
    }

    private static boolean insert(Connection c, PaymentFact f) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO payment_facts (id, tenant_id, invoice_id, kind, "
                + "amount, currency, provider, reference, reason, occurred_at, recorded_at) VALUES "
                + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, provider, reference) DO NOTHING")) {
            ps.setString(1, f.id());
            ps.setString(2, f.tenant());
            ps.setString(3, f.invoiceId());
            ps.setString(4, f.kind().wireName());
            ps.setString(5, f.amount().toPlainString());
            ps.setString(6, f.currency().getCurrencyCode());
            ps.setString(7, f.provider());
            ps.setString(8, f.reference());
            ps.setString(9, f.reason());
            ps.setString(10, f.occurredAt().toString());
            ps.setString(11, f.recordedAt().toString());
            return ps.executeUpdate() == 1;
        }
    }

    private static void project(Connection c, String tenant, String invoiceId, PaymentSummary s, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO invoice_payment_status (invoice_id, tenant_id, "
                + "status, amount_paid, amount_refunded, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (invoice_id) "
                + "DO UPDATE SET status = excluded.status, amount_paid = excluded.amount_paid, "
                + "amount_refunded = excluded.amount_refunded, updated_at = excluded.updated_at")) {
            ps.setString(1, invoiceId);
            ps.setString(2, tenant);
            ps.setString(3, s.status().wireName());
            ps.setString(4, s.amountPaid().toPlainString());
            ps.setString(5, s.amountRefunded().toPlainString());
            ps.setString(6, now.toString());
            ps.executeUpdate();
        }
    }

    private static Optional<PaymentFact> byReference(Connection c, String tenant, String provider, String reference)
            throws SQLException {
        List<PaymentFact> found = query(c, "SELECT * FROM payment_facts WHERE tenant_id = ? AND provider = ? AND reference = ?",
                tenant, provider, reference);
        return found.stream().findFirst();
    }

    private static List<PaymentFact> facts(Connection c, String tenant, String invoiceId) throws SQLException {
        return query(c, "SELECT * FROM payment_facts WHERE tenant_id = ? AND invoice_id = ? ORDER BY occurred_at, id",
                tenant, invoiceId);
    }

    private static List<PaymentFact> query(Connection c, String sql, String... args) throws SQLException {
        List<PaymentFact> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new PaymentFact(rs.getString("id"), rs.getString("tenant_id"), rs.getString("invoice_id"),
                            FactKind.fromWireName(rs.getString("kind")).orElseThrow(), new BigDecimal(rs.getString("amount")),
                            Currency.getInstance(rs.getString("currency")), rs.getString("provider"),
                            rs.getString("reference"), rs.getString("reason"), Instant.parse(rs.getString("occurred_at")),
                            Instant.parse(rs.getString("recorded_at"))));
                }
            }
        }
        return out;
    }
}

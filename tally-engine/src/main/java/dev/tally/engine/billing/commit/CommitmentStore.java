package dev.tally.engine.billing.commit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LineKind;
import dev.tally.core.commitment.TermEnd;
import dev.tally.core.event.Json;
import dev.tally.core.ledger.EntryKind;
import dev.tally.core.ledger.LedgerEntry;
import dev.tally.core.ledger.Wallet;
import dev.tally.core.money.Money;
import dev.tally.engine.billing.InvoiceJson;
import dev.tally.engine.store.Database;
import dev.tally.engine.store.StoreException;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SQL of commitments. Commitments and their entries are only ever inserted; a prepaid commitment's ledger is read
 * whole and checked by {@link Wallet#of}. Writers of a commitment's entries hold its lock ({@link #lock}) for their
 * transaction.
 */
final class CommitmentStore {
    private final Database db;
    private final ObjectMapper mapper = Json.newMapper();

    CommitmentStore(Database db) {
        this.db = db;
    }

    Database db() {
        return db;
    }

    void insert(Connection c, Commitment m) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO commitments (id, tenant_id, subscription_id, "
                + "customer_id, type, name, currency, amount, starts_at, ends_at, overage_rate, at_term_end, invoiced_at, "
                + "rolled_from, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, m.id());
            ps.setString(2, m.tenant());
            ps.setString(3, m.subscription());
            ps.setString(4, m.customer());
            ps.setString(5, m.type().wireName());
            ps.setString(6, m.name());
            ps.setString(7, m.amount().currency().getCurrencyCode());
            ps.setString(8, m.amount().plainString());
            ps.setString(9, m.startsAt().toString());
            ps.setString(10, m.endsAt().map(Instant::toString).orElse(null));
            ps.setString(11, m.overageRate().toPlainString());
            ps.setString(12, m.atTermEnd().wireName());
            ps.setString(13, m.invoicedAt().map(Instant::toString).orElse(null));
            ps.setString(14, m.rolledFrom().orElse(null));
            ps.setString(15, m.source());
            ps.setString(16, m.createdAt().toString());
            ps.executeUpdate();
        }
    }

    /** A subscription's commitments, by start then creation. */
    List<Commitment> ofSubscription(String tenant, String subscription) {
        return query("SELECT * FROM commitments WHERE tenant_id = ? AND subscription_id = ? ORDER BY starts_at, created_at, id",
                tenant, subscription);
    }

    /** A tenant's commitments, by subscription, start then creation. */
    List<Commitment> ofTenant(String tenant) {
        return query("SELECT * FROM commitments WHERE tenant_id = ? ORDER BY subscription_id, starts_at, created_at, id",
                tenant);
    }

    Optional<Commitment> get(String tenant, String id) {
        List<Commitment> l = query("SELECT * FROM commitments WHERE tenant_id = ? AND id = ?", tenant, id);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    private List<Commitment> query(String sql, String... args) {
        return db.inTransaction(c -> {
            List<Commitment> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setString(i + 1, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Currency currency = Currency.getInstance(rs.getString("currency"));
                        out.add(new Commitment(rs.getString("id"), rs.getString("tenant_id"),
                                rs.getString("subscription_id"), rs.getString("customer_id"),
                                Commitment.Type.fromWireName(rs.getString("type")).orElseThrow(), rs.getString("name"),
                                new Money(new BigDecimal(rs.getString("amount")), currency),
                                Instant.parse(rs.getString("starts_at")), instant(rs.getString("ends_at")),
                                new BigDecimal(rs.getString("overage_rate")),
                                TermEnd.fromWireName(rs.getString("at_term_end")).orElseThrow(),
                                instant(rs.getString("invoiced_at")), Optional.ofNullable(rs.getString("rolled_from")),
                                rs.getString("source"), Instant.parse(rs.getString("created_at"))));
                    }
                }
            }
            return out;
        });
    }

    /** Locks a commitment's ledger until the transaction ends (across processes on PostgreSQL; SQLite has one writer). */
    void lock(Connection c, String commitmentId) throws SQLException {
        if (db.isPostgres()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                ps.setString(1, "tally-commitment:" + commitmentId);
                ps.execute();
            }
        }
    }

    /** A prepaid commitment's ledger: its grant and its entries in sequence order, checked whole. */
    Wallet ledger(Commitment m) {
        return Wallet.of(m.amount().currency(), List.of(m.grant()), entries(m));
    }

    List<LedgerEntry> entries(Commitment m) {
        return db.inTransaction(c -> {
            List<LedgerEntry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT * FROM commitment_entries WHERE commitment_id = ? ORDER BY sequence")) {
                ps.setString(1, m.id());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new LedgerEntry(rs.getString("id"), rs.getLong("sequence"), m.id(),
                                EntryKind.fromWireName(rs.getString("kind")).orElseThrow(),
                                new Money(new BigDecimal(rs.getString("amount")), m.amount().currency()),
                                Instant.parse(rs.getString("at")), rs.getString("reason"), rs.getString("source"),
                                Optional.ofNullable(rs.getString("invoice_id")),
                                Optional.ofNullable(rs.getString("reverses"))));
                    }
                }
            }
            return out;
        });
    }

    /** Stores an entry unless one with the same idempotency key exists; returns whether it stored it. */
    boolean insertEntry(Connection c, String tenant, LedgerEntry e, String key, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO commitment_entries (id, tenant_id, commitment_id, "
                + "sequence, kind, amount, at, reason, source, invoice_id, reverses, idempotency_key, created_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, idempotency_key) DO NOTHING")) {
            ps.setString(1, e.id());
            ps.setString(2, tenant);
            ps.setString(3, e.grantId());
            ps.setLong(4, e.sequence());
            ps.setString(5, e.kind().wireName());
            ps.setString(6, e.amount().plainString());
            ps.setString(7, e.at().toString());
            ps.setString(8, e.reason());
            ps.setString(9, e.source());
            ps.setString(10, e.invoiceId().orElse(null));
            ps.setString(11, e.reverses().orElse(null));
            ps.setString(12, key);
            ps.setString(13, now.toString());
            return ps.executeUpdate() == 1;
        }
    }

    /** The latest boundary a subscription has an invoice for (any status), or empty when it has none. */
    Optional<Instant> lastInvoiceBoundary(String tenant, String subscription) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT MAX(boundary_at) FROM invoices WHERE tenant_id = ? AND subscription_id = ?")) {
                ps.setString(1, tenant);
                ps.setString(2, subscription);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? instant(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /** Moves a subscription's next boundary back to its start (an opening invoice is due there), if it is later. */
    void billFromStart(Connection c, String tenant, String subscription, Instant start) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE subscriptions SET next_boundary_at = ? "
                + "WHERE tenant_id = ? AND id = ? AND next_boundary_at > ?")) {
            ps.setString(1, start.toString());
            ps.setString(2, tenant);
            ps.setString(3, subscription);
            ps.setString(4, start.toString());
            ps.executeUpdate();
        }
    }

    /** An invoice as commitments see it: its status, boundary, customer and lines. */
    record StoredInvoice(String id, String status, Instant boundary, String customer, List<InvoiceLine> lines) {
    }

    /** A subscription's invoices, by boundary. */
    List<StoredInvoice> invoicesOf(String tenant, String subscription) {
        return db.inTransaction(c -> {
            List<StoredInvoice> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, status, boundary_at, customer_id, currency, body "
                    + "FROM invoices WHERE tenant_id = ? AND subscription_id = ? ORDER BY boundary_at, id")) {
                ps.setString(1, tenant);
                ps.setString(2, subscription);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        JsonNode body;
                        try {
                            body = mapper.readTree(rs.getString("body"));
                        } catch (IOException e) {
                            throw new StoreException("stored invoice " + rs.getString("id") + " is not JSON", e);
                        }
                        out.add(new StoredInvoice(rs.getString("id"), rs.getString("status"),
                                Instant.parse(rs.getString("boundary_at")), rs.getString("customer_id"),
                                InvoiceJson.readLines(body.get("lines"), Currency.getInstance(rs.getString("currency")))));
                    }
                }
            }
            return out;
        });
    }

    /**
     * What the drafts of a subscription other than {@code exceptInvoice} with a boundary before {@code before} are
     * about to draw from each commitment (their drawdown lines, positive), by commitment id.
     */
    Map<String, Money> pendingDrawdowns(String tenant, String subscription, Instant before, Optional<String> exceptInvoice) {
        Map<String, Money> out = new HashMap<>();
        for (StoredInvoice inv : invoicesOf(tenant, subscription)) {
            if (!inv.status().equals("draft") || !inv.boundary().isBefore(before)
                    || exceptInvoice.filter(inv.id()::equals).isPresent()) {
                continue;
            }
            for (InvoiceLine l : inv.lines()) {
                if (l.kind() == LineKind.COMMITMENT_DRAWDOWN) {
                    out.merge(l.chargeKey(), l.amount().negate(), Money::plus);
                }
            }
        }
        return out;
    }

    private static Optional<Instant> instant(String s) {
        return s == null ? Optional.empty() : Optional.of(Instant.parse(s));
    }
}

package dev.tally.engine.credit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tally.core.event.Json;
import dev.tally.core.ledger.EntryKind;
import dev.tally.core.ledger.Funding;
import dev.tally.core.ledger.Grant;
import dev.tally.core.ledger.LedgerEntry;
import dev.tally.core.ledger.Wallet;
import dev.tally.core.money.Money;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The SQL of the credit ledger. Entries are only ever inserted (there is no UPDATE or DELETE of an entry or a grant
 * here); a wallet is read whole and checked by {@link Wallet#of}. Callers hold the wallet's lock
 * ({@link #lockWallet}) for every write, in one transaction.
 */
final class CreditStore {
    private final Database db;
    private final ObjectMapper mapper = Json.newMapper();

    CreditStore(Database db) {
        this.db = db;
    }

    Database db() {
        return db;
    }

    /** Creates the wallet row if needed and locks the wallet until the transaction ends (across processes on PostgreSQL). */
    void lockWallet(Connection c, String tenant, String customer, Currency currency, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO credit_wallets (tenant_id, customer_id, currency, created_at) "
                + "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, tenant);
            ps.setString(2, customer);
            ps.setString(3, currency.getCurrencyCode());
            ps.setString(4, now.toString());
            ps.executeUpdate();
        }
        if (db.isPostgres()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                ps.setString(1, "tally-wallet:" + tenant.length() + ":" + tenant + ":" + currency.getCurrencyCode() + ":" + customer);
                ps.execute();
            }
        }
    }

    /** Every wallet of a tenant as {customer, currency}. */
    List<String[]> walletsOf(String tenant) {
        return db.inTransaction(c -> {
            List<String[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT customer_id, currency FROM credit_wallets WHERE tenant_id = ? ORDER BY customer_id, currency")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new String[] {rs.getString(1), rs.getString(2)});
                    }
                }
            }
            return out;
        });
    }

    /** The currencies a customer has a wallet in, in code order. */
    List<Currency> currencies(String tenant, String customer) {
        return db.inTransaction(c -> {
            List<Currency> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT currency FROM credit_wallets WHERE tenant_id = ? AND customer_id = ? ORDER BY currency")) {
                ps.setString(1, tenant);
                ps.setString(2, customer);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(Currency.getInstance(rs.getString(1)));
                    }
                }
            }
            return out;
        });
    }

    /**
     * The wallets ({customer, currency}) of a tenant with a grant expired at {@code at} and no expiry entry after its
     * last credit (its grant entry, a reversal, an adjustment): candidates, some of which have nothing left to expire.
     */
    List<String[]> walletsWithExpiredGrants(String tenant, Instant at) {
        return db.inTransaction(c -> {
            List<String[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT g.customer_id, g.currency FROM credit_grants g "
                    + "WHERE g.tenant_id = ? AND g.expires_at IS NOT NULL AND g.expires_at <= ? AND NOT EXISTS (SELECT 1 "
                    + "FROM credit_entries x WHERE x.grant_id = g.id AND x.kind = 'expiry' AND x.sequence > (SELECT "
                    + "MAX(p.sequence) FROM credit_entries p WHERE p.grant_id = g.id AND p.kind <> 'expiry' "
                    + "AND p.kind <> 'drawdown' AND p.kind <> 'void')) ORDER BY g.customer_id, g.currency")) {
                ps.setString(1, tenant);
                ps.setString(2, at.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new String[] {rs.getString(1), rs.getString(2)});
                    }
                }
            }
            return out;
        });
    }

    /** A whole wallet (empty if there is none), checked. */
    Wallet wallet(String tenant, String customer, Currency currency) {
        return db.inTransaction(c -> {
            List<Grant> grants = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM credit_grants WHERE tenant_id = ? AND customer_id = ? "
                    + "AND currency = ? ORDER BY created_at, id")) {
                ps.setString(1, tenant);
                ps.setString(2, customer);
                ps.setString(3, currency.getCurrencyCode());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        grants.add(grant(rs, currency));
                    }
                }
            }
            List<LedgerEntry> entries = entries(c, tenant, customer, currency, 0, Integer.MAX_VALUE);
            return Wallet.of(currency, grants, entries);
        });
    }

    /** Up to {@code limit} entries of a wallet after sequence {@code after}, in sequence order. */
    List<LedgerEntry> entries(String tenant, String customer, Currency currency, long after, int limit) {
        return db.inTransaction(c -> entries(c, tenant, customer, currency, after, limit));
    }

    /** The tenant's entries of one invoice (its drawdowns, reversals and the credit it carried), in wallet order. */
    List<LedgerEntry> entriesOfInvoice(String tenant, String invoiceId) {
        return db.inTransaction(c -> {
            List<LedgerEntry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM credit_entries WHERE tenant_id = ? AND invoice_id = ? "
                    + "ORDER BY sequence")) {
                ps.setString(1, tenant);
                ps.setString(2, invoiceId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(entry(rs));
                    }
                }
            }
            return out;
        });
    }

    private List<LedgerEntry> entries(Connection c, String tenant, String customer, Currency currency, long after,
            int limit) throws SQLException {
        List<LedgerEntry> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM credit_entries WHERE tenant_id = ? AND customer_id = ? "
                + "AND currency = ? AND sequence > ? ORDER BY sequence LIMIT ?")) {
            ps.setString(1, tenant);
            ps.setString(2, customer);
            ps.setString(3, currency.getCurrencyCode());
            ps.setLong(4, after);
            ps.setInt(5, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(entry(rs));
                }
            }
        }
        return out;
    }

    void insertGrant(Connection c, String tenant, String customer, Grant g) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO credit_grants (id, tenant_id, customer_id, currency, amount, "
                + "priority, effective_from, expires_at, applies_to, funding, price, reason, source, created_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, g.id());
            ps.setString(2, tenant);
            ps.setString(3, customer);
            ps.setString(4, g.amount().currency().getCurrencyCode());
            ps.setString(5, g.amount().plainString());
            ps.setInt(6, g.priority());
            ps.setString(7, g.effectiveFrom().toString());
            ps.setString(8, g.expiresAt().map(Instant::toString).orElse(null));
            ArrayNode charges = mapper.createArrayNode();
            g.charges().forEach(charges::add);
            ps.setString(9, charges.toString());
            ps.setString(10, g.funding().wireName());
            ps.setString(11, g.price().map(Money::plainString).orElse(null));
            ps.setString(12, g.reason());
            ps.setString(13, g.source());
            ps.setString(14, g.createdAt().toString());
            ps.executeUpdate();
        }
    }

    /** Inserts an entry unless one with the same idempotency key exists; returns whether it was inserted. */
    boolean insertEntry(Connection c, String tenant, String customer, LedgerEntry e, String idempotencyKey, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO credit_entries (id, tenant_id, customer_id, currency, "
                + "sequence, grant_id, kind, amount, at, reason, source, invoice_id, reverses, idempotency_key, created_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, idempotency_key) DO NOTHING")) {
            ps.setString(1, e.id());
            ps.setString(2, tenant);
            ps.setString(3, customer);
            ps.setString(4, e.amount().currency().getCurrencyCode());
            ps.setLong(5, e.sequence());
            ps.setString(6, e.grantId());
            ps.setString(7, e.kind().wireName());
            ps.setString(8, e.amount().plainString());
            ps.setString(9, e.at().toString());
            ps.setString(10, e.reason());
            ps.setString(11, e.source());
            ps.setString(12, e.invoiceId().orElse(null));
            ps.setString(13, e.reverses().orElse(null));
            ps.setString(14, idempotencyKey);
            ps.setString(15, now.toString());
            return ps.executeUpdate() == 1;
        }
    }

    private Grant grant(ResultSet rs, Currency currency) throws SQLException {
        Set<String> charges = new LinkedHashSet<>();
        json(rs.getString("applies_to")).forEach(n -> charges.add(n.asText()));
        String price = rs.getString("price");
        String expires = rs.getString("expires_at");
        return new Grant(rs.getString("id"), new Money(new BigDecimal(rs.getString("amount")), currency),
                rs.getInt("priority"), Instant.parse(rs.getString("effective_from")),
                expires == null ? Optional.empty() : Optional.of(Instant.parse(expires)), charges,
                Funding.fromWireName(rs.getString("funding")).orElseThrow(),
                price == null ? Optional.empty() : Optional.of(new Money(new BigDecimal(price), currency)),
                rs.getString("reason"), rs.getString("source"), Instant.parse(rs.getString("created_at")));
    }

    private static LedgerEntry entry(ResultSet rs) throws SQLException {
        Currency currency = Currency.getInstance(rs.getString("currency"));
        return new LedgerEntry(rs.getString("id"), rs.getLong("sequence"), rs.getString("grant_id"),
                EntryKind.fromWireName(rs.getString("kind")).orElseThrow(),
                new Money(new BigDecimal(rs.getString("amount")), currency), Instant.parse(rs.getString("at")),
                rs.getString("reason"), rs.getString("source"), Optional.ofNullable(rs.getString("invoice_id")),
                Optional.ofNullable(rs.getString("reverses")));
    }

    private JsonNode json(String s) {
        try {
            return mapper.readTree(s);
        } catch (IOException e) {
            throw new StoreException("stored JSON is unreadable", e);
        }
    }
}

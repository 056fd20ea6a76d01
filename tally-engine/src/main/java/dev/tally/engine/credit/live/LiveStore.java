package dev.tally.engine.credit.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.AlertRule;
import dev.tally.core.event.Json;
import dev.tally.engine.notify.Outbox;
import dev.tally.engine.store.Database;
import java.math.BigDecimal;
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

/** The tables of live balances (V22): wallet alerts, their crossings, balance requirements; and the ledger sweep. */
final class LiveStore {
    private final Database db;

    LiveStore(Database db) {
        this.db = db;
    }

    /** A wallet's last ledger sequence: tenant, customer, currency and sequence. */
    record WalletSequence(String tenant, String customer, String currency, long sequence) {
    }

    /** Every wallet's last sequence: one grouped index scan of the ledger. */
    List<WalletSequence> sequences() {
        return db.inTransaction(c -> {
            List<WalletSequence> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT tenant_id, customer_id, currency, MAX(sequence) "
                    + "FROM credit_entries GROUP BY tenant_id, customer_id, currency");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new WalletSequence(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
                }
            }
            return out;
        });
    }

    // ---- wallet alerts

    void insertAlert(WalletAlert a) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO wallet_alerts (id, tenant_id, scope, scope_id, "
                    + "currency, thresholds, name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, a.id());
                ps.setString(2, a.tenant());
                ps.setString(3, a.scope().wireName());
                ps.setString(4, a.scopeId());
                ps.setString(5, a.currency().map(Currency::getCurrencyCode).orElse(null));
                ArrayNode t = JsonNodeFactory.instance.arrayNode();
                a.thresholds().forEach(x -> t.add(x.toPlainString()));
                ps.setString(6, t.toString());
                ps.setString(7, a.name().orElse(null));
                ps.setString(8, a.createdAt().toString());
                ps.executeUpdate();
            }
            return null;
        });
    }

    boolean deleteAlert(String tenant, String id) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM wallet_alerts WHERE tenant_id = ? AND id = ?")) {
                ps.setString(1, tenant);
                ps.setString(2, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Every wallet alert of every tenant, by tenant then creation. */
    List<WalletAlert> alerts() {
        return db.inTransaction(c -> {
            List<WalletAlert> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, tenant_id, scope, scope_id, currency, thresholds, "
                    + "name, created_at FROM wallet_alerts ORDER BY tenant_id, created_at, id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<BigDecimal> thresholds = new ArrayList<>();
                    try {
                        for (JsonNode n : Json.newMapper().readTree(rs.getString(6))) {
                            thresholds.add(new BigDecimal(n.asText()));
                        }
                    } catch (java.io.IOException e) {
                        throw new SQLException("unreadable thresholds of wallet alert " + rs.getString(1), e);
                    }
                    AlertRule.Scope scope = "plan".equals(rs.getString(3)) ? AlertRule.Scope.PLAN
                            : AlertRule.Scope.CUSTOMER;
                    out.add(new WalletAlert(rs.getString(1), rs.getString(2), scope, rs.getString(4),
                            Optional.ofNullable(rs.getString(5)).map(Currency::getInstance), thresholds,
                            Optional.ofNullable(rs.getString(7)), Instant.parse(rs.getString(8))));
                }
            }
            return out;
        });
    }

    // ---- crossings

    /** The last step of a watched line: its sequence, whether it is fired (else re-armed), and when. */
    record Step(long seq, boolean fired, Instant at) {
    }

    /** The last step of every subject, by tenant \0 subject. */
    Map<String, Step> lastSteps() {
        return db.inTransaction(c -> {
            Map<String, Step> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT tenant_id, subject, seq, state, at "
                    + "FROM wallet_crossings ORDER BY tenant_id, subject, seq");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1) + "\u0000" + rs.getString(2),
                            new Step(rs.getLong(3), "fired".equals(rs.getString(4)), Instant.parse(rs.getString(5))));
                }
            }
            return out;
        });
    }

    Optional<Step> lastStep(String tenant, String subject) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, state, at FROM wallet_crossings "
                    + "WHERE tenant_id = ? AND subject = ? ORDER BY seq DESC LIMIT 1")) {
                ps.setString(1, tenant);
                ps.setString(2, subject);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Step(rs.getLong(1), "fired".equals(rs.getString(2)),
                            Instant.parse(rs.getString(3)))) : Optional.<Step>empty();
                }
            }
        });
    }

    /**
     * Appends step {@code seq} of a subject, and when it fires, the webhook message, in one transaction; returns
     * false (and records nothing) when that step exists already (another thread or process took it).
     */
    boolean step(String tenant, String subject, long seq, boolean fired, String value, Instant now,
            Optional<String> type, ObjectNode data) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO wallet_crossings (tenant_id, subject, seq, "
                    + "state, value, at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, tenant);
                ps.setString(2, subject);
                ps.setLong(3, seq);
                ps.setString(4, fired ? "fired" : "rearmed");
                ps.setString(5, value);
                ps.setString(6, now.toString());
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            if (type.isPresent()) {
                Outbox.record(c, tenant, type.get(), data, now);
            }
            return true;
        });
    }

    // ---- balance requirements

    void putRequirement(String tenant, BalanceRequirement r) {
        db.inTransaction(c -> {
            try (PreparedStatement del = c.prepareStatement(
                    "DELETE FROM balance_requirements WHERE tenant_id = ? AND feature = ?")) {
                del.setString(1, tenant);
                del.setString(2, r.feature());
                del.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO balance_requirements (tenant_id, feature, "
                    + "currency, mode, grace_amount, without_wallet, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, tenant);
                ps.setString(2, r.feature());
                ps.setString(3, r.currency().map(Currency::getCurrencyCode).orElse(null));
                ps.setString(4, r.mode().wireName());
                ps.setString(5, r.graceAmount().toPlainString());
                ps.setString(6, r.denyWithoutWallet() ? "deny" : "allow");
                ps.setString(7, r.createdAt().toString());
                ps.executeUpdate();
            }
            return null;
        });
    }

    boolean deleteRequirement(String tenant, String feature) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM balance_requirements WHERE tenant_id = ? AND feature = ?")) {
                ps.setString(1, tenant);
                ps.setString(2, feature);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Every requirement, by tenant (then feature). */
    Map<String, Map<String, BalanceRequirement>> requirements() {
        return db.inTransaction(c -> {
            Map<String, Map<String, BalanceRequirement>> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT tenant_id, feature, currency, mode, grace_amount, "
                    + "without_wallet, created_at FROM balance_requirements ORDER BY tenant_id, feature");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    BalanceRequirement r = new BalanceRequirement(rs.getString(2),
                            Optional.ofNullable(rs.getString(3)).map(Currency::getInstance),
                            BalanceRequirement.Mode.fromWireName(rs.getString(4)).orElseThrow(),
                            new BigDecimal(rs.getString(5)), "deny".equals(rs.getString(6)),
                            Instant.parse(rs.getString(7)));
                    out.computeIfAbsent(rs.getString(1), t -> new java.util.TreeMap<>()).put(r.feature(), r);
                }
            }
            return out;
        });
    }
}

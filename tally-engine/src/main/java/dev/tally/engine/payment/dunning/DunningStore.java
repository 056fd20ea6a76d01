package dev.tally.engine.payment.dunning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.event.Json;
import dev.tally.engine.store.Database;
import dev.tally.engine.store.StoreException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Persistence of dunning policies and of the step log ({@code dunning_steps}); each method one transaction or the caller's. */
final class DunningStore {
    private final Database db;
    private final ObjectMapper mapper = Json.newMapper();

    DunningStore(Database db) {
        this.db = db;
    }

    Optional<DunningPolicy> policy(String tenant) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT policy FROM dunning_policies WHERE tenant_id = ?")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(DunningJson.readPolicy(json(rs.getString(1)))) : Optional.empty();
                }
            }
        });
    }

    void putPolicy(String tenant, DunningPolicy p, Instant now) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO dunning_policies (tenant_id, policy, updated_at) "
                    + "VALUES (?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET policy = excluded.policy, "
                    + "updated_at = excluded.updated_at")) {
                ps.setString(1, tenant);
                ps.setString(2, DunningJson.policy(p).toString());
                ps.setString(3, now.toString());
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Inserts a step unless one with the same (tenant, invoice, step) exists; false when it exists. On PostgreSQL a
     * concurrent insert of the same step waits for this transaction and then finds it, so exactly one does the step.
     */
    static boolean insert(Connection c, DunningStep s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO dunning_steps (id, tenant_id, invoice_id, customer_id, "
                + "step, kind, due_at, done_at, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (tenant_id, invoice_id, step) DO NOTHING")) {
            ps.setString(1, s.id());
            ps.setString(2, s.tenant());
            ps.setString(3, s.invoice());
            ps.setString(4, s.customer());
            ps.setString(5, s.step());
            ps.setString(6, s.kind().wireName());
            ps.setString(7, s.dueAt().toString());
            ps.setString(8, s.doneAt().toString());
            ps.setString(9, s.detail().toString());
            return ps.executeUpdate() == 1;
        }
    }

    /** Sets the detail of a step inserted in this same transaction (before anyone else can see it). */
    static void detail(Connection c, DunningStep s, ObjectNode detail) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE dunning_steps SET detail = ? WHERE id = ?")) {
            ps.setString(1, detail.toString());
            ps.setString(2, s.id());
            ps.executeUpdate();
        }
    }

    List<DunningStep> steps(String tenant, String invoice) {
        return db.inTransaction(c -> {
            List<DunningStep> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM dunning_steps WHERE tenant_id = ? "
                    + "AND invoice_id = ? ORDER BY done_at, due_at, id")) {
                ps.setString(1, tenant);
                ps.setString(2, invoice);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new DunningStep(rs.getString("id"), rs.getString("tenant_id"), rs.getString("invoice_id"),
                                rs.getString("customer_id"), rs.getString("step"),
                                DunningStep.Kind.fromWireName(rs.getString("kind")).orElseThrow(),
                                Instant.parse(rs.getString("due_at")), Instant.parse(rs.getString("done_at")),
                                (ObjectNode) json(rs.getString("detail"))));
                    }
                }
            }
            return out;
        });
    }

    Set<String> stepKeys(String tenant, String invoice) {
        Set<String> out = new HashSet<>();
        steps(tenant, invoice).forEach(s -> out.add(s.step()));
        return out;
    }

    /** When each of these invoices was marked uncollectible (absent: never). */
    Map<String, Instant> uncollectible(String tenant, List<String> invoices) {
        Map<String, Instant> out = new TreeMap<>();
        if (invoices.isEmpty()) {
            return out;
        }
        return db.inTransaction(c -> {
            StringBuilder sql = new StringBuilder("SELECT invoice_id, done_at FROM dunning_steps WHERE tenant_id = ? "
                    + "AND kind = 'uncollectible' AND invoice_id IN (");
            for (int i = 0; i < invoices.size(); i++) {
                sql.append(i == 0 ? "?" : ", ?");
            }
            try (PreparedStatement ps = c.prepareStatement(sql.append(")").toString())) {
                ps.setString(1, tenant);
                for (int i = 0; i < invoices.size(); i++) {
                    ps.setString(i + 2, invoices.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), Instant.parse(rs.getString(2)));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Finalized invoices of the tenant that are not paid in full (payment status other than succeeded), oldest due
     * first; with {@code dueBefore}, only those due before that day.
     */
    List<String> unpaid(String tenant, Optional<String> customer, Optional<LocalDate> dueBefore) {
        return db.inTransaction(c -> {
            StringBuilder sql = new StringBuilder("SELECT i.id FROM invoices i WHERE i.tenant_id = ? AND i.status = "
                    + "'finalized' AND COALESCE((SELECT p.status FROM invoice_payment_status p WHERE p.invoice_id = i.id), "
                    + "'pending') <> 'succeeded'");
            List<String> args = new ArrayList<>(List.of(tenant));
            customer.ifPresent(cu -> {
                sql.append(" AND i.customer_id = ?");
                args.add(cu);
            });
            dueBefore.ifPresent(d -> {
                sql.append(" AND i.due_date < ?");
                args.add(d.toString());
            });
            sql.append(" ORDER BY i.due_date, i.id");
            return ids(c, sql.toString(), args);
        });
    }

    /** The causes (invoice ids) of the tenant's suspensions that are not lifted. */
    List<String[]> suspendedCauses(String tenant) {
        return db.inTransaction(c -> {
            List<String[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT s.customer_id, s.cause FROM customer_suspensions s "
                    + "WHERE s.tenant_id = ? AND s.kind = 'suspended' AND NOT EXISTS (SELECT 1 FROM customer_suspensions l "
                    + "WHERE l.tenant_id = s.tenant_id AND l.customer_id = s.customer_id AND l.cause = s.cause "
                    + "AND l.kind = 'lifted') ORDER BY s.at")) {
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

    private static List<String> ids(Connection c, String sql, List<String> args) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                ps.setString(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private JsonNode json(String s) {
        try {
            return mapper.readTree(s);
        } catch (IOException e) {
            throw new StoreException("a stored dunning row is not JSON", e);
        }
    }
}

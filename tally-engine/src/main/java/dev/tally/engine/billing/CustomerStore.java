package dev.tally.engine.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.tally.core.billing.Customer;
import dev.tally.core.billing.CustomerJson;
import dev.tally.engine.store.Database;
import dev.tally.engine.store.StoreException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Persistence of customers with their versions: the current row ({@code customers}), every version
 * ({@code customer_versions}) and the time zones billing has used ({@code customer_zones}). Every write names the
 * version it expects, so two concurrent changes never silently overwrite each other.
 */
final class CustomerStore {
    /** Before any subscription: the first zone of a customer is in force from here. */
    static final Instant ALWAYS = Instant.parse("1970-01-01T00:00:00Z");

    private final Database db;
    private final ObjectMapper mapper = new ObjectMapper();

    CustomerStore(Database db) {
        this.db = db;
    }

    /** Records version 1 and the first zone of a customer just inserted (in the insert's transaction). */
    void created(Connection c, String tenant, Customer customer, Instant now) throws SQLException {
        insertVersion(c, tenant, customer.externalId(), CustomerJson.write(customer), 1, "created", List.of(), now);
        insertZone(c, tenant, customer.externalId(), ALWAYS, customer.timezone());
    }

    Optional<CustomerRecord> record(String tenant, String externalId) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE tenant_id = ? AND external_id = ?")) {
                ps.setString(1, tenant);
                ps.setString(2, externalId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    List<CustomerRecord> records(String tenant) {
        return db.inTransaction(c -> {
            List<CustomerRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE tenant_id = ? ORDER BY external_id")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Stores a new version of a customer if it is still at {@code expectedVersion}: the definition, the pending zone
     * (replacing any), the archive time, and the version's history row; a zone change effective at
     * {@code zoneFrom} is added to the zone history.
     *
     * @return false if another change came first
     */
    boolean update(String tenant, Customer customer, int expectedVersion, String kind, List<String> fields,
            Optional<CustomerRecord.PendingZone> pending, Optional<Instant> archivedAt,
            Optional<CustomerRecord.PendingZone> zoneFrom, Instant now) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE customers SET definition = ?, version = ?, updated_at = ?, "
                    + "archived_at = ?, pending_timezone = ?, timezone_effective_at = ? "
                    + "WHERE tenant_id = ? AND external_id = ? AND version = ?")) {
                ps.setString(1, CustomerJson.write(customer).toString());
                ps.setInt(2, expectedVersion + 1);
                ps.setString(3, now.toString());
                ps.setString(4, archivedAt.map(Instant::toString).orElse(null));
                ps.setString(5, pending.map(p -> p.timezone().getId()).orElse(null));
                ps.setString(6, pending.map(p -> p.effectiveAt().toString()).orElse(null));
                ps.setString(7, tenant);
                ps.setString(8, customer.externalId());
                ps.setInt(9, expectedVersion);
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            com.fasterxml.jackson.databind.node.ObjectNode snapshot = CustomerJson.write(customer);
            pending.ifPresent(p -> snapshot.putObject("pending_timezone").put("timezone", p.timezone().getId())
                    .put("effective_at", p.effectiveAt().toString()));
            archivedAt.ifPresent(a -> snapshot.put("archived_at", a.toString()));
            insertVersion(c, tenant, customer.externalId(), snapshot, expectedVersion + 1, kind, fields, now);
            if (zoneFrom.isPresent()) {
                try (PreparedStatement del = c.prepareStatement(
                        "DELETE FROM customer_zones WHERE tenant_id = ? AND external_id = ? AND effective_at >= ?")) {
                    del.setString(1, tenant);
                    del.setString(2, customer.externalId());
                    del.setString(3, zoneFrom.get().effectiveAt().toString());
                    del.executeUpdate();
                }
                insertZone(c, tenant, customer.externalId(), zoneFrom.get().effectiveAt(), zoneFrom.get().timezone());
            }
            return true;
        });
    }

    List<CustomerVersion> versions(String tenant, String externalId) {
        return db.inTransaction(c -> {
            List<CustomerVersion> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT version, change_kind, changed_fields, definition, changed_at "
                    + "FROM customer_versions WHERE tenant_id = ? AND external_id = ? ORDER BY version")) {
                ps.setString(1, tenant);
                ps.setString(2, externalId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        List<String> fields = new ArrayList<>();
                        json(rs.getString(3)).forEach(f -> fields.add(f.asText()));
                        out.add(new CustomerVersion(rs.getInt(1), rs.getString(2), List.copyOf(fields), json(rs.getString(4)),
                                Instant.parse(rs.getString(5))));
                    }
                }
            }
            return out;
        });
    }

    /** The zones of a customer by the instant each took effect (empty for a customer stored before zones were kept). */
    NavigableMap<Instant, ZoneId> zones(String tenant, String externalId) {
        return db.inTransaction(c -> {
            NavigableMap<Instant, ZoneId> out = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT effective_at, timezone FROM customer_zones WHERE tenant_id = ? AND external_id = ?")) {
                ps.setString(1, tenant);
                ps.setString(2, externalId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(Instant.parse(rs.getString(1)), ZoneId.of(rs.getString(2)));
                    }
                }
            }
            return out;
        });
    }

    /** Whether any invoice (of any status) was ever issued to the customer. */
    boolean hasInvoices(String tenant, String externalId) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM invoices WHERE tenant_id = ? AND customer_id = ? LIMIT 1")) {
                ps.setString(1, tenant);
                ps.setString(2, externalId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    private static final String SELECT = "SELECT definition, version, created_at, updated_at, archived_at, "
            + "pending_timezone, timezone_effective_at FROM customers";

    private CustomerRecord read(ResultSet rs) throws SQLException {
        Customer customer = CustomerJson.read(json(rs.getString(1)));
        Optional<CustomerRecord.PendingZone> pending = rs.getString(6) == null ? Optional.empty()
                : Optional.of(new CustomerRecord.PendingZone(ZoneId.of(rs.getString(6)), Instant.parse(rs.getString(7))));
        return new CustomerRecord(customer, rs.getInt(2), Instant.parse(rs.getString(3)), instant(rs.getString(4)),
                instant(rs.getString(5)), pending);
    }

    private void insertVersion(Connection c, String tenant, String externalId, JsonNode snapshot, int version,
            String kind, List<String> fields, Instant now) throws SQLException {
        ArrayNode changed = mapper.createArrayNode();
        fields.forEach(changed::add);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO customer_versions (tenant_id, external_id, version, "
                + "change_kind, changed_fields, definition, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, tenant);
            ps.setString(2, externalId);
            ps.setInt(3, version);
            ps.setString(4, kind);
            ps.setString(5, changed.toString());
            ps.setString(6, snapshot.toString());
            ps.setString(7, now.toString());
            ps.executeUpdate();
        }
    }

    private static void insertZone(Connection c, String tenant, String id, Instant from, ZoneId zone) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO customer_zones (tenant_id, external_id, effective_at, timezone) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, tenant);
            ps.setString(2, id);
            ps.setString(3, from.toString());
            ps.setString(4, zone.getId());
            ps.executeUpdate();
        }
    }

    private static Optional<Instant> instant(String s) {
        return s == null ? Optional.empty() : Optional.of(Instant.parse(s));
    }

    private JsonNode json(String s) {
        try {
            return mapper.readTree(s);
        } catch (IOException e) {
            throw new StoreException("stored JSON is unreadable", e);
        }
    }
}

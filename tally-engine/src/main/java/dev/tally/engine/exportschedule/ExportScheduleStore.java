package dev.tally.engine.exportschedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.engine.secrets.SecretBox;
import dev.tally.engine.store.Database;
import dev.tally.engine.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Export schedules per tenant. Guarantees: the secret is stored only sealed ({@link SecretBox}, record
 * {@code export_schedules/<tenant>}) and comes back only through {@link #secret}; {@link #markExported} only moves
 * the last exported day forward. Thread-safe.
 */
public final class ExportScheduleStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Database db;
    private final SecretBox box;
    private final Clock clock;

    public ExportScheduleStore(Database db, SecretBox box, Clock clock) {
        this.db = db;
        this.box = box;
        this.clock = clock;
    }

    private static String record(String tenant) {
        return "export_schedules/" + tenant;
    }

    /** Sets (or replaces) the schedule; an empty secret keeps the stored one when {@code keepSecret}. */
    public StoredSchedule put(String tenant, JsonNode config, Optional<String> secret, boolean keepSecret) {
        String json;
        try {
            json = JSON.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Optional<String> sealed = secret.map(s -> box.sealText(s, record(tenant)));
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO export_schedules (tenant_id, config, "
                    + "credentials, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET config = "
                    + "excluded.config, credentials = " + (keepSecret && sealed.isEmpty()
                            ? "export_schedules.credentials" : "excluded.credentials")
                    + ", updated_at = excluded.updated_at")) {
                ps.setString(1, tenant);
                ps.setString(2, json);
                ps.setString(3, sealed.orElse(null));
                ps.setString(4, clock.instant().toString());
                ps.executeUpdate();
            }
            return null;
        });
        return get(tenant).orElseThrow();
    }

    public Optional<StoredSchedule> get(String tenant) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT config, credentials, last_day FROM "
                    + "export_schedules WHERE tenant_id = ?")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new StoredSchedule(tenant, parse(rs.getString(1)), rs.getString(2) != null,
                            Optional.ofNullable(rs.getString(3)).map(LocalDate::parse)));
                }
            }
        });
    }

    /** The stored secret, unsealed (for the object store client only; never for a response). */
    public Optional<String> secret(String tenant) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT credentials FROM export_schedules WHERE "
                    + "tenant_id = ?")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getString(1) != null
                            ? Optional.of(box.openText(rs.getString(1), record(tenant))) : Optional.<String>empty();
                }
            }
        });
    }

    /** Every stored schedule. */
    public List<StoredSchedule> all() {
        List<String> tenants = db.inTransaction(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT tenant_id FROM export_schedules ORDER BY tenant_id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
        List<StoredSchedule> out = new ArrayList<>();
        for (String t : tenants) {
            get(t).ifPresent(out::add);
        }
        return out;
    }

    public boolean delete(String tenant) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM export_schedules WHERE tenant_id = ?")) {
                ps.setString(1, tenant);
                return ps.executeUpdate() > 0;
            }
        });
    }

    /** Records that {@code day} is exported (only ever forward). */
    public void markExported(String tenant, LocalDate day) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE export_schedules SET last_day = ? WHERE "
                    + "tenant_id = ? AND (last_day IS NULL OR last_day < ?)")) {
                ps.setString(1, day.toString());
                ps.setString(2, tenant);
                ps.setString(3, day.toString());
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static JsonNode parse(String s) throws SQLException {
        try {
            return JSON.readTree(s);
        } catch (JsonProcessingException e) {
            throw new StoreException("an export schedule is not JSON", e);
        }
    }
}

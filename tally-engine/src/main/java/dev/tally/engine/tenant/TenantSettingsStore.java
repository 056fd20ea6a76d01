package dev.tally.engine.tenant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.Json;
import dev.tally.engine.store.Database;
import dev.tally.engine.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;

/**
 * The tenants' seller settings, one row per tenant in the metadata database (SQLite or PostgreSQL). A tenant that
 * never set anything has {@link TenantSettings#defaults()}. A patch is read, applied and written in one
 * transaction; an invalid patch changes nothing.
 */
public final class TenantSettingsStore {
    private static final ObjectMapper MAPPER = Json.newMapper();
    private final Database db;
    private final Clock clock;

    public TenantSettingsStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public TenantSettings get(String tenant) {
        return db.inTransaction(c -> read(c, tenant));
    }

    /**
     * Applies a patch (see {@link TenantSettingsJson#patch}) and returns the settings now in force.
     *
     * @throws dev.tally.core.validation.ValidationException if a field is invalid (nothing is changed)
     */
    public TenantSettings patch(String tenant, JsonNode patch) {
        return db.inTransaction(c -> {
            TenantSettings next = TenantSettingsJson.patch(read(c, tenant), patch);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO tenant_settings (tenant_id, definition, updated_at) "
                    + "VALUES (?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET definition = excluded.definition, "
                    + "updated_at = excluded.updated_at")) {
                ps.setString(1, tenant);
                ps.setString(2, TenantSettingsJson.write(next).toString());
                ps.setString(3, clock.instant().toString());
                ps.executeUpdate();
            }
            return next;
        });
    }

    /** The tenant's name (as it was created), or its id when there is no such tenant row. */
    public String name(String tenant) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM tenants WHERE id = ?")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : tenant;
                }
            }
        });
    }

    /** The tenant's settings read on a connection already in a transaction (e.g. while finalizing an invoice). */
    public static TenantSettings read(Connection c, String tenant) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT definition FROM tenant_settings WHERE tenant_id = ?")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return TenantSettings.defaults();
                }
                try {
                    return TenantSettingsJson.read(MAPPER.readTree(rs.getString(1)));
                } catch (JsonProcessingException e) {
                    throw new StoreException("stored settings of tenant " + tenant + " are not JSON", e);
                }
            }
        }
    }
}

package dev.tally.engine.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.Json;
import dev.tally.engine.store.Database;
import dev.tally.engine.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code event_schemas} table (SQLite or PostgreSQL): versions are inserted, never updated or deleted. Two
 * writers that race for one version number cannot both win: the primary key refuses the second, which gets a
 * {@link SchemaConflictException}.
 */
final class SchemaStore {
    private final Database db;
    private final ObjectMapper json = Json.newMapper();

    SchemaStore(Database db) {
        this.db = db;
    }

    /** Stores a version; its number must be the next one of its type. */
    void insert(String tenant, SchemaVersion v) {
        String text = v.schema().map(this::write).orElse(null);
        boolean inserted = db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_schemas (tenant_id, event_type, version, "
                    + "schema_json, effective_from, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, tenant);
                ps.setString(2, v.eventType());
                ps.setInt(3, v.version());
                ps.setString(4, text);
                ps.setString(5, v.effectiveFrom().toString());
                ps.setString(6, v.createdAt().toString());
                return ps.executeUpdate() == 1;
            }
        });
        if (!inserted) {
            throw new SchemaConflictException("version " + v.version() + " of the schema of '" + v.eventType()
                    + "' was just created by another request; read the versions and try again");
        }
    }

    /** Every version of every type of a tenant, by type. */
    Map<String, List<SchemaVersion>> all(String tenant) {
        return db.inTransaction(c -> {
            Map<String, List<SchemaVersion>> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT event_type, version, schema_json, effective_from, "
                    + "created_at FROM event_schemas WHERE tenant_id = ? ORDER BY event_type, version")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        SchemaVersion v = new SchemaVersion(rs.getString(1), rs.getInt(2),
                                Optional.ofNullable(rs.getString(3)).map(this::read), Instant.parse(rs.getString(4)),
                                Instant.parse(rs.getString(5)));
                        out.computeIfAbsent(v.eventType(), t -> new ArrayList<>()).add(v);
                    }
                }
            }
            return out;
        });
    }

    /** How many versions each tenant has stored (versions are only appended, so a changed count is a change). */
    Map<String, Long> counts() {
        return db.inTransaction(c -> {
            Map<String, Long> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT tenant_id, COUNT(*) FROM event_schemas "
                    + "GROUP BY tenant_id"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        });
    }

    private String write(JsonNode schema) {
        try {
            return json.writeValueAsString(schema);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a schema tree cannot be written", e);
        }
    }

    private JsonNode read(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new StoreException("a stored event schema is not JSON", e);
        }
    }
}

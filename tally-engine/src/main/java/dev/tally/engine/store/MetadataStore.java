package dev.tally.engine.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.Json;
import dev.tally.core.meter.Meter;
import dev.tally.core.meter.MeterJson;
import dev.tally.engine.secrets.SecretBox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Tenants, shared secrets (sealed by the secrets key) and meter versions (API keys: {@link KeyStore}). Meter
 * versions are append-only; each change bumps the tenant's meter generation in
 * the same transaction.
 */
public final class MetadataStore {
    private static final String KEY_CHECK = "secrets-key-check";
    private final Database db;
    private final Optional<SecretBox> box;
    private final ObjectMapper mapper = Json.newMapper();

    /** A store for tenants and meters only ({@link #secret} needs a secrets key). */
    public MetadataStore(Database db) {
        this(db, Optional.empty());
    }

    public MetadataStore(Database db, Optional<SecretBox> box) {
        this.db = db;
        this.box = box;
    }

    public boolean tenantExists(String id) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM tenants WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    public void createTenant(String id, String name, Instant now) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, id);
                ps.setString(2, name);
                ps.setString(3, now.toString());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO meter_generations (tenant_id, generation) VALUES (?, 0) ON CONFLICT DO NOTHING")) {
                ps.setString(1, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    public List<String> tenants() {
        return db.inTransaction(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM tenants ORDER BY id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    /**
     * A random secret shared by every process on this database, created on first use and stored sealed by the
     * secrets key ({@link SecretBox}); a value an older version stored in clear is sealed in place on first read.
     */
    public byte[] secret(String name) {
        SecretBox box = this.box.orElseThrow(() -> new IllegalStateException("this store was opened without a secrets key"));
        String record = "secrets:" + name;
        return db.inTransaction(c -> {
            byte[] stored = read(c, name);
            if (stored == null) {
                byte[] fresh = new byte[32];
                new java.security.SecureRandom().nextBytes(fresh);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
                    ps.setString(1, name);
                    ps.setBytes(2, box.seal(fresh, record));
                    ps.executeUpdate();
                }
                stored = read(c, name);
            }
            if (SecretBox.isSealed(stored)) {
                return box.open(stored, record);
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE secrets SET value = ? WHERE name = ?")) {
                ps.setBytes(1, box.seal(stored, record));
                ps.setString(2, name);
                ps.executeUpdate();
            }
            return stored;
        });
    }

    private static byte[] read(java.sql.Connection c, String name) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM secrets WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }

    /**
     * Checks that the secrets key is the one this database's secrets were sealed with (records it on first use);
     * throws {@link IllegalStateException} naming the key's source when it is not.
     */
    public void checkSecretsKey(String source) {
        SecretBox box = this.box.orElseThrow(() -> new IllegalStateException("this store was opened without a secrets key"));
        byte[] mine = box.checkValue().getBytes(StandardCharsets.US_ASCII);
        boolean matches = db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, KEY_CHECK);
                ps.setBytes(2, mine);
                ps.executeUpdate();
            }
            return java.security.MessageDigest.isEqual(mine, read(c, KEY_CHECK));
        });
        if (!matches) {
            throw new IllegalStateException("the secrets key from " + source + " is not the key this database's "
                    + "secrets were encrypted with: start with the original key (TALLY_SECRETS_KEY, --secrets-key-file, "
                    + "or the data directory's secrets-key file); every process on one database needs the same key");
        }
    }

    /** Every tenant's meter generation (to notice meter changes made by another process). */
    public java.util.Map<String, Long> meterGenerations() {
        return db.inTransaction(c -> {
            java.util.Map<String, Long> out = new java.util.TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT tenant_id, generation FROM meter_generations");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        });
    }

    /** Appends a meter version and bumps the tenant's meter generation; returns the new generation. */
    public long addMeterVersion(String tenant, Meter meter, Instant now) {
        String json = MeterJson.write(meter).toString();
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO meters (tenant_id, meter_key, version, definition, created_at) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, tenant);
                ps.setString(2, meter.key());
                ps.setInt(3, meter.version());
                ps.setString(4, json);
                ps.setString(5, now.toString());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE meter_generations SET generation = generation + 1 WHERE tenant_id = ?")) {
                ps.setString(1, tenant);
                ps.executeUpdate();
            }
            return generation(c, tenant);
        });
    }

    public long meterGeneration(String tenant) {
        return db.inTransaction(c -> generation(c, tenant));
    }

    private static long generation(java.sql.Connection c, String tenant) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT generation FROM meter_generations WHERE tenant_id = ?")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** When each version of each meter of a tenant was stored: key -> times in version order. */
    public java.util.Map<String, List<Instant>> meterVersionTimes(String tenant) {
        return db.inTransaction(c -> {
            java.util.Map<String, List<Instant>> out = new java.util.LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT meter_key, created_at FROM meters WHERE tenant_id = ? ORDER BY meter_key, version")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(Instant.parse(rs.getString(2)));
                    }
                }
            }
            return out;
        });
    }

    /** Every version of every meter of a tenant. */
    public List<Meter> meters(String tenant) {
        return db.inTransaction(c -> {
            List<Meter> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT meter_key, version, definition FROM meters WHERE tenant_id = ? ORDER BY meter_key, version")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(parse(rs.getString(3), rs.getString(1), rs.getInt(2)));
                    }
                }
            }
            return out;
        });
    }

    /** When each meter version of a tenant was stored, by {@code key + "@" + version}. */
    public java.util.Map<String, Instant> meterVersionsCreatedAt(String tenant) {
        return db.inTransaction(c -> {
            java.util.Map<String, Instant> out = new java.util.HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT meter_key, version, created_at FROM meters WHERE tenant_id = ?")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1) + "@" + rs.getInt(2), Instant.parse(rs.getString(3)));
                    }
                }
            }
            return out;
        });
    }

    private Meter parse(String json, String key, int version) {
        try {
            JsonNode node = mapper.readTree(json.getBytes(StandardCharsets.UTF_8));
            return MeterJson.read(node, Optional.of(key), version, Instant.parse(node.get("effective_from").asText()));
        } catch (IOException e) {
            throw new StoreException("stored meter " + key + " v" + version + " is not readable", e);
        }
    }
}

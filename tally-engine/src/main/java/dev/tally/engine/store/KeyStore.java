package dev.tally.engine.store;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * API keys. A key is {@code tly_} + 8 lookup characters + {@code _} + 32 secret characters (base62, 238
 * random bits in all); it is shown once and stored only as HMAC-SHA256 under a server-side pepper. The
 * key's first 12 characters are a lookup prefix that finds the candidate rows; the hashes are compared in
 * constant time. Keys chosen by an operator ({@code TALLY_BOOTSTRAP_KEY}) work the same way.
 */
public final class KeyStore {
    public static final int LOOKUP_LENGTH = 12;
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database db;
    private final byte[] pepper;

    public KeyStore(Database db, byte[] pepper) {
        this.db = db;
        this.pepper = pepper.clone();
    }

    /** A new secret: {@code tly_xxxxxxxx_yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy}. */
    public static String newSecret() {
        return "tly_" + random(8) + "_" + random(32);
    }

    private static String random(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(BASE62[RANDOM.nextInt(BASE62.length)]);
        }
        return sb.toString();
    }

    static String lookup(String secret) {
        return secret.substring(0, Math.min(LOOKUP_LENGTH, secret.length()));
    }

    /** The stored form of a secret. */
    String hash(String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(pepper, "HmacSHA256"));
            return "hmac$" + HexFormat.of().formatHex(mac.doFinal(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stores a key for its secret (idempotent for the same secret); returns it as stored. */
    public ApiKey create(String tenant, String secret, String name, Set<String> scopes, Optional<Instant> expiresAt,
            Optional<ApiKey.RateLimit> rateLimit, Instant now) {
        String id = "key_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO api_keys (id, tenant_id, prefix, lookup, hash, name, scopes, created_at, expires_at, "
                            + "rate_per_second, rate_burst) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, id);
                ps.setString(2, tenant);
                ps.setString(3, lookup(secret));
                ps.setString(4, lookup(secret));
                ps.setString(5, hash(secret));
                ps.setString(6, name);
                ps.setString(7, String.join(",", scopes));
                ps.setString(8, now.toString());
                ps.setString(9, expiresAt.map(Instant::toString).orElse(null));
                ps.setObject(10, rateLimit.map(ApiKey.RateLimit::perSecond).orElse(null));
                ps.setObject(11, rateLimit.map(ApiKey.RateLimit::burst).orElse(null));
                ps.executeUpdate();
            }
            return null;
        });
        return find(secret).orElseThrow();
    }

    /** The key whose secret this is (revoked and expired ones included: the caller decides), by constant-time compare. */
    public Optional<ApiKey> find(String secret) {
        byte[] expected = hash(secret).getBytes(StandardCharsets.UTF_8);
        byte[] legacy = legacyHash(secret).getBytes(StandardCharsets.UTF_8);
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT * FROM api_keys WHERE lookup = ? OR (lookup IS NULL AND prefix = ?)")) {
                ps.setString(1, lookup(secret));
                ps.setString(2, lookup(secret));
                try (ResultSet rs = ps.executeQuery()) {
                    Optional<ApiKey> found = Optional.empty();
                    while (rs.next()) {
                        byte[] stored = rs.getString("hash").getBytes(StandardCharsets.UTF_8);
                        if (MessageDigest.isEqual(stored, expected) || MessageDigest.isEqual(stored, legacy)) {
                            found = Optional.of(key(rs));
                        }
                    }
                    return found;
                }
            }
        });
    }

    /** Keys made before keyed hashing stored a plain SHA-256 (secrets of 128+ random bits); still accepted. */
    private static String legacyHash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public Optional<ApiKey> byId(String tenant, String id) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM api_keys WHERE tenant_id = ? AND id = ?")) {
                ps.setString(1, tenant);
                ps.setString(2, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(key(rs)) : Optional.<ApiKey>empty();
                }
            }
        });
    }

    public List<ApiKey> list(String tenant) {
        return db.inTransaction(c -> {
            List<ApiKey> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY created_at, id")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(key(rs));
                    }
                }
            }
            return out;
        });
    }

    /** Revokes a key of a tenant; false when there is no such live key. */
    public boolean revoke(String tenant, String id, Instant now) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL")) {
                ps.setString(1, now.toString());
                ps.setString(2, tenant);
                ps.setString(3, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    private static ApiKey key(ResultSet rs) throws SQLException {
        String expires = rs.getString("expires_at");
        String revoked = rs.getString("revoked_at");
        Object rate = rs.getObject("rate_per_second");
        Optional<ApiKey.RateLimit> limit = rate == null ? Optional.empty()
                : Optional.of(new ApiKey.RateLimit(((Number) rate).intValue(), ((Number) rs.getObject("rate_burst")).intValue()));
        return new ApiKey(rs.getString("id"), rs.getString("tenant_id"), rs.getString("prefix"), rs.getString("name"),
                Set.of(rs.getString("scopes").split(",")), Instant.parse(rs.getString("created_at")),
                expires == null ? Optional.empty() : Optional.of(Instant.parse(expires)),
                revoked == null ? Optional.empty() : Optional.of(Instant.parse(revoked)), limit);
    }
}

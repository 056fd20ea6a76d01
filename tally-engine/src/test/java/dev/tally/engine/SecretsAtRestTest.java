package dev.tally.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.IngestLimits;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.access.PortalTokens;
import dev.tally.engine.notify.WebhookSettings;
import dev.tally.engine.secrets.PrivateFiles;
import dev.tally.engine.secrets.SecretBox;
import dev.tally.engine.secrets.SecretsConfig;
import dev.tally.engine.secrets.SecretsKey;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Secrets at rest, on the embedded store and on PostgreSQL: the data directory 0700 and every file in it 0600
 * (also an existing directory, tightened at start); webhook signing secrets and the server's own keys sealed
 * (AES-GCM) in the database, never in clear in the SQLite file or its WAL; values an older version stored in clear
 * sealed on start and still signing; a process with another secrets key refused; portal tokens signed per tenant
 * and revocable per customer.
 */
class SecretsAtRestTest {
    static final String T = Engine.DEFAULT_TENANT;
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final WebhookSettings WEBHOOKS = WebhookSettings.MANUAL.withAllowPrivateAddresses(true);
    static final ObjectMapper JSON = Json.newMapper();

    @TempDir
    Path dir;
    final ManualClock clock = new ManualClock(NOW);
    final List<String> databases = new ArrayList<>();

    record Store(String name, Function<SecretsAtRestTest, Optional<String>> database) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Store> stores() {
        return Stream.of(new Store("embedded", t -> Optional.empty()), new Store("postgresql", t -> {
            String url = TestDatabases.createMigrated();
            t.databases.add(url);
            return Optional.of(url);
        }));
    }

    @AfterEach
    void dropDatabases() {
        databases.forEach(TestDatabases::drop);
    }

    EngineConfig config(Optional<String> database, SecretsConfig secrets) {
        return new EngineConfig(dir, IngestLimits.DEFAULTS, Optional.empty(), EngineConfig.DEFAULT_SEGMENT_BYTES,
                Duration.ZERO, database, WEBHOOKS, secrets);
    }

    static void rejectedEvent(Engine e, String id) {
        String body = "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"s\",\"type\":\"t\"}";
        e.ingest(T, e.eventReader().read(body.getBytes(StandardCharsets.UTF_8), CloudEventReader.BodyShape.SINGLE));
    }

    static void acceptedEvent(Engine e, String id) {
        String body = "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"s\",\"type\":\"t\",\"subject\":\"acme\"}";
        e.ingest(T, e.eventReader().read(body.getBytes(StandardCharsets.UTF_8), CloudEventReader.BodyShape.SINGLE));
    }

    /** Every directory under the data directory (itself included) and every file, with its mode. */
    Map<String, String> modes() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                if (Files.exists(p)) {
                    out.put(dir.relativize(p).toString() + (Files.isDirectory(p) ? "/" : ""),
                            PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
                }
            }
        }
        return out;
    }

    static void assertPrivate(Map<String, String> modes) {
        modes.forEach((path, mode) -> assertThat(mode).as(path)
                .isEqualTo(path.endsWith("/") ? "rwx------" : "rw-------"));
    }

    /** The SQLite file and its write-ahead log, as bytes, for a search for clear text. */
    byte[] rawDatabase() throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String f : List.of("tally.db", "tally.db-wal", "tally.db-shm")) {
            Path p = dir.resolve(f);
            if (Files.exists(p)) {
                out.write(Files.readAllBytes(p));
            }
        }
        return out.toByteArray();
    }

    static boolean contains(byte[] haystack, String needle) {
        return new String(haystack, StandardCharsets.ISO_8859_1).contains(needle);
    }

    Connection jdbc(Optional<String> database) throws Exception {
        return DriverManager.getConnection(database.orElse("jdbc:sqlite:" + dir.resolve("tally.db").toAbsolutePath()));
    }

    // ---- files

    @Test
    void theDataDirectoryAndEveryFileInItAreCreatedPrivate() throws Exception {
        try (Engine e = Engine.open(config(Optional.empty(), SecretsConfig.DEFAULT), clock)) {
            acceptedEvent(e, "e1");
            e.webhooks().createEndpoint(T, "http://127.0.0.1:9/x", List.of(), "");
            assertThat(e.checkpoint()).isTrue();
            Map<String, String> open = modes();
            assertThat(open).containsKeys("/", "tally.db", "tally.db-wal", "lock", "bootstrap-key", "secrets-key", "log/",
                    "checkpoint/", "checkpoint/manifest");
            assertThat(open.keySet()).anyMatch(p -> p.startsWith("log/segment-"));
            assertPrivate(open);
        }
        assertPrivate(modes());
    }

    @Test
    void anExistingDataDirectoryReadableByOthersIsMadePrivateOnStart() throws Exception {
        try (Engine e = Engine.open(config(Optional.empty(), SecretsConfig.DEFAULT), clock)) {
            acceptedEvent(e, "e1");
            e.checkpoint();
        }
        // as an older version left it: 0755 directories, 0644 files
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        assertThat(modes().get("tally.db")).isEqualTo("rw-r--r--");

        try (Engine e = Engine.open(config(Optional.empty(), SecretsConfig.DEFAULT), clock)) {
            assertPrivate(modes());
        }
        assertThat(PrivateFiles.tighten(dir)).as("nothing left to tighten").isEmpty();
    }

    // ---- sealed secrets

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void webhookSecretsAndTheServersKeysAreStoredSealed(Store store) throws Exception {
        Optional<String> db = store.database().apply(this);
        String secret;
        try (Engine e = Engine.open(config(db, SecretsConfig.DEFAULT), clock)) {
            secret = e.webhooks().createEndpoint(T, "http://127.0.0.1:9/x", List.of(), "").secret();
            String rotated = e.webhooks().rotateSecret(T, e.webhooks().endpoints(T).get(0).id()).secret();
            try (Connection c = jdbc(db); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT secret, previous_secret FROM webhook_endpoints")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).startsWith("tsb1:").doesNotContain(rotated.substring(6));
                assertThat(rs.getString(2)).startsWith("tsb1:").doesNotContain(secret.substring(6));
            }
            try (Connection c = jdbc(db); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT name, value FROM secrets")) {
                List<String> names = new ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getString(1));
                    if (!rs.getString(1).equals("secrets-key-check")) {
                        assertThat(SecretBox.isSealed(rs.getBytes(2))).as(rs.getString(1)).isTrue();
                    }
                }
                assertThat(names).contains("api-key-pepper", "portal", "cursor", "secrets-key-check");
            }
            if (db.isEmpty()) {
                byte[] raw = rawDatabase();
                assertThat(contains(raw, secret.substring(6))).as("the first secret in the SQLite file or WAL").isFalse();
                assertThat(contains(raw, rotated.substring(6))).as("the rotated secret in the SQLite file or WAL").isFalse();
                assertThat(contains(raw, "whsec_")).isFalse();
            }
        }
        if (db.isEmpty()) {
            assertThat(contains(rawDatabase(), secret.substring(6))).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void secretsAnOlderVersionStoredInClearAreSealedOnStartAndStillSign(Store store) throws Exception {
        Optional<String> db = store.database().apply(this);
        ConcurrentLinkedQueue<Map<String, String>> received = new ConcurrentLinkedQueue<>();
        HttpServer receiver = receiver(received);
        String clear = "whsec_" + Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());
        byte[] clearCursorKey = new byte[32];
        java.util.Arrays.fill(clearCursorKey, (byte) 'C');
        try {
            try (Engine e = Engine.open(config(db, SecretsConfig.DEFAULT), clock)) {
                e.webhooks().createEndpoint(T, "http://127.0.0.1:" + receiver.getAddress().getPort() + "/x", List.of(), "");
            }
            // what an older version left: the endpoint's secret and a server key in clear
            try (Connection c = jdbc(db); Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE webhook_endpoints SET secret = '" + clear + "'");
                try (PreparedStatement ps = c.prepareStatement("UPDATE secrets SET value = ? WHERE name = 'cursor'")) {
                    ps.setBytes(1, clearCursorKey);
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                }
            }
            if (db.isEmpty()) {
                assertThat(contains(rawDatabase(), clear)).as("the clear secret before the upgrade").isTrue();
            }

            try (Engine e = Engine.open(config(db, SecretsConfig.DEFAULT), clock)) {
                try (Connection c = jdbc(db); Statement s = c.createStatement()) {
                    try (ResultSet rs = s.executeQuery("SELECT secret FROM webhook_endpoints")) {
                        rs.next();
                        assertThat(rs.getString(1)).startsWith("tsb1:");
                    }
                    try (ResultSet rs = s.executeQuery("SELECT value FROM secrets WHERE name = 'cursor'")) {
                        rs.next();
                        assertThat(SecretBox.isSealed(rs.getBytes(1))).isTrue();
                    }
                }
                if (db.isEmpty()) {
                    assertThat(contains(rawDatabase(), clear)).as("the clear secret in the SQLite file or WAL").isFalse();
                    assertThat(contains(rawDatabase(), clear.substring(6))).isFalse();
                }
                // the sealed secret still signs: a Standard Webhooks signature with the old clear secret verifies
                rejectedEvent(e, "bad");
                assertThat(e.webhooks().summarizeRejections()).isEqualTo(1);
                assertThat(e.webhooks().deliverDue()).isEqualTo(1);
                Map<String, String> got = received.poll();
                assertThat(got).isNotNull();
                assertThat(got.get("webhook-signature")).isEqualTo("v1," + sign(clear, got.get("webhook-id"),
                        got.get("webhook-timestamp"), got.get("body")));
            }
        } finally {
            receiver.stop(0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aProcessWithAnotherSecretsKeyRefusesToStart(Store store) throws Exception {
        Optional<String> db = store.database().apply(this);
        String keyA = Base64.getEncoder().encodeToString(new byte[32]);
        byte[] b = new byte[32];
        b[0] = 1;
        String keyB = Base64.getEncoder().encodeToString(b);
        try (Engine e = Engine.open(config(db, SecretsConfig.ofKey(keyA)), clock)) {
            e.webhooks().createEndpoint(T, "http://127.0.0.1:9/x", List.of(), "");
        }
        assertThat(dir.resolve(SecretsKey.FILE)).as("a configured key is never written to the data directory")
                .doesNotExist();
        assertThatThrownBy(() -> Engine.open(config(db, SecretsConfig.ofKey(keyB)), clock).close())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is not the key");
        assertThatThrownBy(() -> Engine.open(config(db, SecretsConfig.DEFAULT), clock).close())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("is not the key");
        assertThat(dir.resolve(SecretsKey.FILE)).as("a fresh key that the database refused is not kept").doesNotExist();
        Path file = dir.resolve("key.txt");
        Files.writeString(file, keyA + "\n");
        try (Engine e = Engine.open(config(db, SecretsConfig.ofFile(file)), clock)) {
            assertThat(e.webhooks().endpoints(T)).hasSize(1);
        }
        assertThatThrownBy(() -> Engine.open(config(db, SecretsConfig.ofKey("too short")), clock).close())
                .hasMessageContaining("32 random bytes in base64");
    }

    // ---- portal tokens

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void portalTokensAreSignedPerTenantAndRevokedPerCustomer(Store store) throws Exception {
        Optional<String> db = store.database().apply(this);
        try (Engine e = Engine.open(config(db, SecretsConfig.DEFAULT), clock)) {
            e.access().createTenant("other", "Other");
            for (String tenant : List.of(T, "other")) {
                e.billing().createCustomer(tenant, JSON.readTree("{\"external_id\":\"acme\",\"currency\":\"USD\"}"));
            }
            e.billing().createCustomer(T, JSON.readTree("{\"external_id\":\"globex\",\"currency\":\"USD\"}"));
            String acme = e.access().issuePortalToken(e.access().portalClaims(T, "acme", Duration.ofHours(1)).orElseThrow());
            String globex = e.access().issuePortalToken(e.access().portalClaims(T, "globex", Duration.ofHours(1)).orElseThrow());
            assertThat(e.access().authenticate(acme)).get().extracting(Principal::tenant).isEqualTo(T);

            // the same customer id in another tenant: the default tenant's signature does not make it the other's
            String forged = retarget(acme, "other");
            assertThat(e.access().authenticate(forged)).as("a default-tenant token replayed as tenant 'other'").isEmpty();
            String other = e.access().issuePortalToken(e.access().portalClaims("other", "acme", Duration.ofHours(1)).orElseThrow());
            assertThat(e.access().authenticate(other)).get().extracting(Principal::tenant).isEqualTo("other");
            assertThat(e.access().portalClaims(T, "nobody", Duration.ofHours(1))).isEmpty();

            assertThat(e.access().revokePortalTokens(T, "acme")).contains(1L);
            assertThat(e.access().authenticate(acme)).as("revoked").isEmpty();
            assertThat(e.access().authenticate(globex)).as("another customer's token").isPresent();
            assertThat(e.access().authenticate(other)).as("the other tenant's acme").isPresent();
            String fresh = e.access().issuePortalToken(e.access().portalClaims(T, "acme", Duration.ofHours(1)).orElseThrow());
            assertThat(e.access().authenticate(fresh)).isPresent();
            assertThat(e.access().revokePortalTokens(T, "acme")).contains(2L);
            assertThat(e.access().authenticate(fresh)).isEmpty();
            assertThat(e.access().revokePortalTokens(T, "nobody")).isEmpty();
        }
    }

    /** The token with its payload's tenant replaced, keeping the signature. */
    static String retarget(String token, String tenant) throws IOException {
        String body = token.substring(PortalTokens.PREFIX.length());
        String payload = body.substring(0, body.lastIndexOf('.'));
        var node = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(payload));
        node.put("t", tenant);
        String swapped = Base64.getUrlEncoder().withoutPadding().encodeToString(node.toString().getBytes(StandardCharsets.UTF_8));
        return PortalTokens.PREFIX + swapped + body.substring(body.lastIndexOf('.'));
    }

    static String sign(String secret, String id, String timestamp, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(6)), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal((id + "." + timestamp + "." + body)
                .getBytes(StandardCharsets.UTF_8)));
    }

    static HttpServer receiver(ConcurrentLinkedQueue<Map<String, String>> received) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        s.createContext("/", ex -> {
            Map<String, String> r = new TreeMap<>();
            r.put("body", new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            for (String h : List.of("webhook-id", "webhook-timestamp", "webhook-signature")) {
                r.put(h, ex.getRequestHeaders().getFirst(h));
            }
            received.add(r);
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        s.start();
        return s;
    }
}

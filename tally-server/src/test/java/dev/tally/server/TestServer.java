package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.Json;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.notify.WebhookSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** The shared fixture: a server on port 0 over a temp data dir, and a small JSON client for it. */
final class TestServer implements AutoCloseable {
    static final String KEY = "tly_test_admin_key_0123456789abcdef";
    final Path dir;
    final TallyServer server;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final ObjectMapper mapper = Json.newMapper();

    TestServer(Clock clock) throws IOException {
        this(clock, Files.createTempDirectory("tally-test"));
    }

    TestServer(Clock clock, Path dir) {
        this(clock, dir, Optional.empty());
    }

    TestServer(Clock clock, Path dir, Optional<Path> metersFile) {
        this(clock, dir, metersFile, WEBHOOKS);
    }

    /** Webhooks in tests: nothing scheduled (tests call deliverDue), loopback receivers allowed. */
    static final WebhookSettings WEBHOOKS = WebhookSettings.MANUAL.withAllowPrivateAddresses(true);

    TestServer(Clock clock, WebhookSettings webhooks) throws IOException {
        this(clock, Files.createTempDirectory("tally-test"), Optional.empty(), webhooks);
    }

    TestServer(Clock clock, Path dir, Optional<Path> metersFile, WebhookSettings webhooks) {
        this(clock, dir, metersFile, webhooks, HttpSettings.DEFAULTS);
    }

    /** A server with its own listener settings (e.g. short header and body deadlines). */
    TestServer(Clock clock, HttpSettings http) throws IOException {
        this(clock, Files.createTempDirectory("tally-test"), Optional.empty(), WEBHOOKS, http);
    }

    TestServer(Clock clock, Path dir, Optional<Path> metersFile, WebhookSettings webhooks, HttpSettings http) {
        this.dir = dir;
        this.server = TallyServer.start(new ServerConfig(0, dir, Optional.of(KEY), metersFile,
                Duration.ofDays(35), Duration.ZERO, Optional.empty(), webhooks, http), clock);
        this.owner = true;
    }

    /** A server on PostgreSQL at {@code databaseUrl} (a database of its own, see {@link TestDatabases}). */
    TestServer(Clock clock, String databaseUrl) throws IOException {
        this.dir = Files.createTempDirectory("tally-test");
        this.server = TallyServer.start(new ServerConfig(0, dir, Optional.of(KEY), Optional.empty(),
                Duration.ofDays(35), Duration.ZERO, Optional.empty(), WEBHOOKS, HttpSettings.DEFAULTS)
                .withDatabaseUrl(databaseUrl), clock);
        this.owner = true;
    }

    /** The stores every two-store HTTP test runs on, by name: the parameters of {@link #on}. */
    static java.util.stream.Stream<String> stores() {
        return java.util.stream.Stream.of("embedded", "postgresql");
    }

    /**
     * A server on the named store ({@link #stores}): on "postgresql" in a new database of its own, dropped when the
     * server is closed.
     */
    static TestServer on(String store, Clock clock) throws IOException {
        if (!store.equals("postgresql")) {
            return new TestServer(clock);
        }
        String url = TestDatabases.createMigrated();
        try {
            TestServer t = new TestServer(clock, url);
            t.database = Optional.of(url);
            return t;
        } catch (IOException | RuntimeException e) {
            TestDatabases.drop(url);
            throw e;
        }
    }

    /** The database {@link #on} made for this server, dropped at close. */
    private Optional<String> database = Optional.empty();

    /** Another client (its own connection pool) of the same running server. */
    TestServer(TestServer other) {
        this.dir = other.dir;
        this.server = other.server;
        this.owner = false;
    }

    private final boolean owner;

    record Reply(int status, JsonNode json, String body, java.net.http.HttpHeaders headers) {
    }

    /** The address of {@code path} on this server. */
    URI uri(String path) {
        return URI.create("http://localhost:" + server.port() + path);
    }

    Reply send(String method, String path, String contentType, String body, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            String ct = r.headers().firstValue("Content-Type").orElse("");
            if (ct.contains("json") && !r.body().isEmpty()) {
                json = mapper.readTree(r.body());
            }
            return new Reply(r.statusCode(), json, r.body(), r.headers());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Reply get(String path) {
        return send("GET", path, null, null, KEY);
    }

    Reply post(String path, String json) {
        return send("POST", path, "application/json", json, KEY);
    }

    Reply put(String path, String json) {
        return send("PUT", path, "application/json", json, KEY);
    }

    Reply events(String contentType, String body) {
        return send("POST", "/v1/events", contentType, body, KEY);
    }

    @Override
    public void close() {
        if (owner) {
            try {
                server.close();
            } finally {
                database.ifPresent(TestDatabases::drop);
            }
        }
    }
}

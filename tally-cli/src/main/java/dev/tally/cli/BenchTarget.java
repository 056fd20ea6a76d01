package dev.tally.cli;

import dev.tally.server.ServerConfig;
import dev.tally.server.TallyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * The server a benchmark talks to: a running one at a URL, or one started in
 * this process on an ephemeral port (with a fresh temporary data directory,
 * deleted afterwards, unless a directory is given). An embedded server's admin
 * key is read from the {@code bootstrap-key} file it writes on first start.
 */
final class BenchTarget implements AutoCloseable {
    private final URI base;
    private final String host;
    private final int port;
    private final String basePath;
    private final String key;
    private final TallyServer server;
    private final Path temporaryDir;
    private final String description;

    private BenchTarget(URI base, String key, TallyServer server, Path temporaryDir, String description) {
        if (!"http".equalsIgnoreCase(base.getScheme()) || base.getHost() == null) {
            throw new CliFailureException("bench needs a plain http:// URL with a host, not " + base);
        }
        this.base = base;
        this.host = base.getHost();
        this.port = base.getPort() < 0 ? 80 : base.getPort();
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.key = key;
        this.server = server;
        this.temporaryDir = temporaryDir;
        this.description = description;
    }

    static BenchTarget remote(URI url, String key) {
        return new BenchTarget(url, key, null, null, url.toString());
    }

    /** Starts a server in this process on port 0; {@code dataDir} empty means a temporary directory. */
    static BenchTarget embedded(Optional<Path> dataDir) {
        return embedded(dataDir, Optional.empty());
    }

    /** As {@link #embedded(Optional)}, with the duplicate index's memory tier limited to {@code dedupMemoryMb}. */
    static BenchTarget embedded(Optional<Path> dataDir, Optional<Long> dedupMemoryMb) {
        Path dir;
        Path temporary = null;
        try {
            if (dataDir.isPresent()) {
                dir = dataDir.get().toAbsolutePath();
            } else {
                temporary = Files.createTempDirectory("tally-bench-");
                dir = temporary;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory", e);
        }
        ServerConfig config = ServerConfig.fromEnvironment(Map.of()).withPort(0).withDataDir(dir);
        if (dedupMemoryMb.isPresent()) {
            config = config.withDedup(config.dedup().withMemoryBytes(dedupMemoryMb.get() << 20));
        }
        TallyServer server = TallyServer.start(config, Clock.systemUTC());
        Path keyFile = dir.resolve(ApiKeys.KEY_FILE);
        Optional<String> key = ApiKeys.fromFile(keyFile);
        if (key.isEmpty()) {
            server.close();
            throw new MissingApiKeyException("the embedded server wrote no admin key to " + keyFile);
        }
        return new BenchTarget(URI.create("http://127.0.0.1:" + server.port()), key.get(), server, temporary,
                "embedded server on port " + server.port() + ", data in " + dir);
    }

    /** The engine of an embedded server (empty for a remote one). */
    Optional<dev.tally.engine.Engine> engine() {
        return Optional.ofNullable(server).map(TallyServer::engine);
    }

    URI base() {
        return base;
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    String key() {
        return key;
    }

    /** A request target (path and query) under this server's base path. */
    String target(String pathAndQuery) {
        return basePath + pathAndQuery;
    }

    String hostHeader() {
        return port == 80 ? host : host + ":" + port;
    }

    String description() {
        return description;
    }

    /** The server's {@code /metrics} samples, truncated to whole numbers (see {@link StorageCommand#parse}). */
    Map<String, Long> metrics(RetryPolicy retry) {
        ApiClient c = client(retry);
        ApiResponse r = c.send(java.net.http.HttpRequest.newBuilder(URI.create(c.base() + target("/metrics")))
                .timeout(java.time.Duration.ofSeconds(30)).GET().build());
        if (!r.ok()) {
            throw new RequestFailedException("cannot read /metrics: HTTP " + r.status(), r.status());
        }
        return StorageCommand.parse(r.text());
    }

    ApiClient client(RetryPolicy retry) {
        return new ApiClient(base, key, retry);
    }

    /** Creates the benchmark meter {@code bench_tokens}; an existing one (409) is fine. */
    void ensureBenchMeter(RetryPolicy retry) {
        String meter = "{\"key\":\"bench_tokens\",\"event_type\":\"" + BenchWorkload.EVENT_TYPE
                + "\",\"aggregation\":\"sum\",\"value_path\":\"tokens\",\"group_by\":[\"model\"]}";
        ApiResponse r = client(retry).post("/v1/meters", "application/json",
                meter.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (!r.ok() && r.status() != 409) {
            throw new RequestFailedException("cannot create meter bench_tokens: HTTP " + r.problem(), r.status());
        }
    }

    /**
     * Creates the duration meter {@code bench_sessions} on the benchmark's events, so that every event is a duration
     * mark on the hot path: the session key is {@code data.model} and the model names are the kinds (small = start,
     * medium = heartbeat, large = stop), timeout five minutes, counted in seconds. An existing one (409) is fine.
     */
    void ensureDurationMeter(RetryPolicy retry) {
        String meter = "{\"key\":\"bench_sessions\",\"event_type\":\"" + BenchWorkload.EVENT_TYPE
                + "\",\"aggregation\":\"duration\",\"time_unit\":\"second\",\"duration\":{\"key\":\"model\","
                + "\"kind_path\":\"model\",\"start\":\"small\",\"heartbeat\":\"medium\",\"stop\":\"large\","
                + "\"timeout\":\"PT5M\"}}";
        ApiResponse r = client(retry).post("/v1/meters", "application/json",
                meter.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (!r.ok() && r.status() != 409) {
            throw new RequestFailedException("cannot create meter bench_sessions: HTTP " + r.problem(), r.status());
        }
    }

    /**
     * The JSON Schema {@code --schema} installs on the benchmark's event type: what a producer would publish for
     * it (required fields, their types and ranges, the model's values, no other properties), so that every event
     * pays a realistic validation and still passes it.
     */
    static final String BENCH_SCHEMA = "{\"schema\":{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
            + "\"type\":\"object\",\"required\":[\"tokens\",\"model\"],\"additionalProperties\":false,"
            + "\"properties\":{\"tokens\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":1000000},"
            + "\"model\":{\"type\":\"string\",\"enum\":[\"small\",\"medium\",\"large\"]}}}}";

    /** Installs {@link #BENCH_SCHEMA} on the benchmark's event type (a no-op when it is already the latest). */
    void ensureBenchSchema(RetryPolicy retry) {
        ApiResponse r = client(retry).post("/v1/event-types/" + BenchWorkload.EVENT_TYPE + "/schemas",
                "application/json", BENCH_SCHEMA.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (!r.ok()) {
            throw new RequestFailedException("cannot install the schema of " + BenchWorkload.EVENT_TYPE + ": HTTP "
                    + r.problem(), r.status());
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        if (temporaryDir != null) {
            deleteRecursively(temporaryDir);
        }
    }

    static void deleteRecursively(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // a leftover temporary directory is not worth failing a benchmark for
        }
    }
}

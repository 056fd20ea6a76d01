package dev.tally.cli;

import dev.tally.server.ServerConfig;
import dev.tally.server.TallyServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** The real Tally server in the test JVM, on a free port, with its admin key. */
final class EmbeddedServer implements AutoCloseable {
    private final TallyServer server;
    private final String key;

    EmbeddedServer(Path dataDir) {
        server = TallyServer.start(ServerConfig.fromEnvironment(Map.of()).withPort(0).withDataDir(dataDir),
                Clock.systemUTC());
        key = ApiKeys.fromFile(dataDir.resolve(ApiKeys.KEY_FILE))
                .orElseThrow(() -> new AssertionError("the server wrote no bootstrap-key"));
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    String key() {
        return key;
    }

    @Override
    public void close() {
        server.close();
    }
}

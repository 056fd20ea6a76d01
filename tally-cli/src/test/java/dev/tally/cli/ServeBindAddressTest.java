package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tally serve} binds loopback by default, {@code --host} or TALLY_HOST otherwise, and logs what it bound. */
class ServeBindAddressTest {
    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void servesOnLoopbackByDefaultAndSaysSo() throws Exception {
        int port = ServerProcess.freePort();
        ServerProcess server = new ServerProcess(dir.resolve("data"), dir.resolve("serve.log"), port);
        try {
            server.awaitReady(http);
            assertThat(server.log()).contains("listening on http://127.0.0.1:" + port + " ")
                    .doesNotContain("http://localhost");
        } finally {
            server.stop();
        }
    }

    @Test
    void theHostOptionOverridesTheEnvironmentAndIsLoggedExactly() throws Exception {
        int port = ServerProcess.freePort();
        ServerProcess server = new ServerProcess(dir.resolve("data"), dir.resolve("serve.log"), port,
                Map.of("TALLY_HOST", "127.0.0.2"), List.of("--host", "0.0.0.0"));
        try {
            server.awaitReady(http);
            assertThat(server.log()).contains("listening on http://0.0.0.0:" + port + " ");
        } finally {
            server.stop();
        }
    }
}

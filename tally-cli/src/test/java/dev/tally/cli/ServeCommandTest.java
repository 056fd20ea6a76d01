package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code tally serve} says when it cannot start, and what it logs when it starts and stops. */
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void aBusyPortIsOneLineThatSuggestsPortAndCreatesNoDataDirectoryOrKey() throws Exception {
        Path data = dir.resolve("data");
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(0));

            Cli.Run run = Cli.run(Map.of(), "serve", "--port", Integer.toString(taken.getLocalPort()), "--data",
                    data.toString());

            assertThat(run.exitCode()).isEqualTo(1);
            assertOneLine(run.err());
            assertThat(run.err()).startsWith("tally: cannot listen on 127.0.0.1 port " + taken.getLocalPort())
                    .contains("--port");
            assertThat(data).doesNotExist();
        }
    }

    @Test
    void aSecondServeOnTheSameDataDirectorySaysSoInOneLineAndNamesData() throws Exception {
        Path data = dir.resolve("data");
        ServerProcess first = new ServerProcess(data, dir.resolve("first.log"), ServerProcess.freePort());
        try {
            first.awaitReady(HttpClient.newHttpClient());
            String key = Files.readString(data.resolve(ApiKeys.KEY_FILE));

            Cli.Run otherPort = Cli.run(Map.of(), "serve", "--port", Integer.toString(ServerProcess.freePort()),
                    "--data", data.toString());

            assertThat(otherPort.exitCode()).isEqualTo(1);
            assertOneLine(otherPort.err());
            assertThat(otherPort.err()).contains("another Tally process is using the data directory "
                    + data.toAbsolutePath().normalize()).contains("--data").doesNotContain("--port");

            Cli.Run samePort = Cli.run(Map.of(), "serve", "--port", Integer.toString(first.port()),
                    "--data", data.toString());

            assertThat(samePort.exitCode()).isEqualTo(1);
            assertOneLine(samePort.err());
            assertThat(samePort.err()).contains("already serving the data directory", "--data", "--port");
            assertThat(Files.readString(data.resolve(ApiKeys.KEY_FILE))).as("the key is untouched").isEqualTo(key);
            assertThat(first.isAlive()).as("the first server runs on").isTrue();
        } finally {
            first.stop();
        }
    }

    @Test
    void startsWithoutJdkWarningsAndLogsALineWhenItStops() throws Exception {
        Path data = dir.resolve("data");
        ServerProcess server = new ServerProcess(data, dir.resolve("server.log"), ServerProcess.freePort());
        try {
            server.awaitReady(HttpClient.newHttpClient());
        } finally {
            server.stop();
        }

        String log = server.log();
        assertThat(log).as(log).contains("Tally listening on").doesNotContain("WARNING");
        assertThat(log).as(log).contains("shutting down (signal received)").containsPattern("Tally stopped in \\d+ ms");
    }

    @Test
    void theLogLevelComesFromTallyLogLevel() throws Exception {
        Path data = dir.resolve("data");
        ServerProcess server = new ServerProcess(data, dir.resolve("server.log"), ServerProcess.freePort(),
                Map.of("TALLY_LOG_LEVEL", "WARN"), java.util.List.of());
        try {
            server.awaitReady(HttpClient.newHttpClient());
        } finally {
            server.stop();
        }

        assertThat(server.log()).as(server.log()).contains("Tally listening on").doesNotContain(" INFO ");
    }

    private static void assertOneLine(String err) {
        assertThat(err.strip()).as(err).doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ");
    }
}

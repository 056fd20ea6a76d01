package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code tally ingest} behaves as a client (batching, retrying, splitting,
 * exit status), against a scripted stand-in server that accepts everything.
 */
class IngestClientBehaviourTest {
    @TempDir
    Path dir;

    private Path eventsFile(int n) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add("{\"specversion\":\"1.0\",\"id\":\"e" + i + "\",\"source\":\"app\",\"type\":\"t\",\"subject\":\"c\"}");
        }
        Path file = dir.resolve("events.jsonl");
        Files.write(file, lines);
        return file;
    }

    /** Answers a batch by accepting every event in it. */
    private static ScriptedHttpServer.Answer acceptAll(ScriptedHttpServer.Request request) {
        try {
            JsonNode batch = Jsons.MAPPER.readTree(request.body());
            StringBuilder results = new StringBuilder();
            for (JsonNode e : batch) {
                results.append(results.isEmpty() ? "" : ",").append("{\"id\":\"").append(e.get("id").asText())
                        .append("\",\"source\":\"app\",\"status\":\"accepted\"}");
            }
            return new ScriptedHttpServer.Answer(200, "{\"accepted\":" + batch.size()
                    + ",\"duplicates\":0,\"rejected\":0,\"results\":[" + results + "]}");
        } catch (IOException e) {
            return new ScriptedHttpServer.Answer(400, "{\"title\":\"malformed\"}");
        }
    }

    @Test
    void postsBatchesOfTheRequestedSizeAsCloudEventsBatchesWithTheKey() throws IOException {
        Path file = eventsFile(25);
        try (ScriptedHttpServer server = new ScriptedHttpServer((n, r) -> acceptAll(r))) {
            Cli.Run run = Cli.run("ingest", file.toString(), "--url", server.url(), "--key", "secret", "--batch", "10",
                    "--no-progress");

            assertThat(run.exitCode()).isZero();
            assertThat(server.requests()).hasSize(3).allSatisfy(r -> {
                assertThat(r.method()).isEqualTo("POST");
                assertThat(r.uri()).isEqualTo("/v1/events");
                assertThat(r.authorization()).isEqualTo("Bearer secret");
                assertThat(r.contentType()).isEqualTo("application/cloudevents-batch+json");
            });
            assertThat(server.requests()).extracting(r -> Jsons.MAPPER.readTree(r.body()).size())
                    .containsExactly(10, 10, 5);
            IngestCommand command = run.command("ingest");
            assertThat(command.summary.accepted()).isEqualTo(25);
            assertThat(run.out()).contains("accepted").contains("25");
        }
    }

    @Test
    void busyAnswersAreRetriedUntilTheBatchIsAccepted() throws IOException {
        Path file = eventsFile(5);
        try (ScriptedHttpServer server = new ScriptedHttpServer((n, r) -> n < 2
                ? new ScriptedHttpServer.Answer(n == 0 ? 503 : 429, "{\"title\":\"busy\"}")
                : acceptAll(r))) {
            Cli.Run run = Cli.run("ingest", file.toString(), "--url", server.url(), "--key", "k", "--no-progress");

            assertThat(run.exitCode()).isZero();
            assertThat(server.requests()).hasSize(3);
            assertThat(server.requests().get(2).body()).isEqualTo(server.requests().get(0).body());
        }
    }

    @Test
    void aBatchTooLargeForTheServerIsSplit() throws IOException {
        Path file = eventsFile(8);
        try (ScriptedHttpServer server = new ScriptedHttpServer((n, r) -> {
            try {
                return Jsons.MAPPER.readTree(r.body()).size() > 3
                        ? new ScriptedHttpServer.Answer(413, "{\"title\":\"too large\"}") : acceptAll(r);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        })) {
            Path results = dir.resolve("results.jsonl");
            Cli.Run run = Cli.run("ingest", file.toString(), "--url", server.url(), "--key", "k", "--output",
                    results.toString(), "--no-progress");

            assertThat(run.exitCode()).isZero();
            assertThat(Files.readAllLines(results)).hasSize(8).allMatch(l -> l.contains("\"accepted\""));
            assertThat(Files.readAllLines(results).get(7)).contains("\"line\":8", "\"id\":\"e7\"");
        }
    }

    @Test
    void aRefusedRequestFailsItsEventsAndTheExitStatusButTheLoadGoesOn() throws IOException {
        Path file = eventsFile(30);
        try (ScriptedHttpServer server = new ScriptedHttpServer((n, r) -> n == 1
                ? new ScriptedHttpServer.Answer(400, "{\"title\":\"Malformed body\",\"detail\":\"bad\"}")
                : acceptAll(r))) {
            Path results = dir.resolve("results.jsonl");
            Cli.Run run = Cli.run("ingest", file.toString(), "--url", server.url(), "--key", "k", "--batch", "10",
                    "--output", results.toString(), "--no-progress");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(server.requests()).hasSize(3);
            assertThat(run.err()).contains("lines 11-20 failed: HTTP 400 Malformed body: bad");
            List<String> lines = Files.readAllLines(results);
            assertThat(lines).hasSize(30);
            assertThat(lines.subList(10, 20)).allMatch(l -> l.contains("\"status\":\"failed\""))
                    .as("--output keeps the server's detail").allMatch(l -> l.contains("\"detail\":\"bad\""));
            IngestCommand command = run.command("ingest");
            assertThat(command.summary.accepted()).isEqualTo(20);
            assertThat(command.summary.failedEvents()).isEqualTo(10);
        }
    }

    @Test
    void aRejectedKeyStopsTheLoad() throws IOException {
        Path file = eventsFile(30);
        try (ScriptedHttpServer server = new ScriptedHttpServer(
                (n, r) -> new ScriptedHttpServer.Answer(401, "{\"title\":\"Unauthorized\"}"))) {
            Cli.Run run = Cli.run("ingest", file.toString(), "--url", server.url(), "--key", "wrong", "--batch", "10",
                    "--no-progress");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(server.requests()).hasSize(1);
            assertThat(run.err()).contains("refused the API key");
        }
    }

    @Test
    void anUnreachableServerFailsAfterTheRetries() throws IOException {
        Path file = eventsFile(3);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Cli.Run run = Cli.run("ingest", file.toString(), "--url", "http://127.0.0.1:" + closedPort, "--key", "k",
                "--retries", "1", "--no-progress");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("cannot reach").contains("stopped at line 1");
    }
}

package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tally ingest} against the real server. */
class IngestCommandTest {
    private static final int UNIQUE = 2_500;
    private static final int RESENT = 100;

    @TempDir
    Path dir;

    private EmbeddedServer server;
    private Path file;

    @BeforeEach
    void startServerAndWriteFile() throws IOException {
        server = new EmbeddedServer(dir.resolve("data"));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < UNIQUE; i++) {
            lines.add(event("e" + i, "acme-" + (i % 7), now.minusSeconds(i % 600).toString()));
            if (i % 25 == 24) {
                lines.add(""); // blank lines are skipped
            }
        }
        for (int i = 0; i < RESENT; i++) {
            lines.add(event("e" + (i * 13), "acme-" + (i * 13 % 7), now.minusSeconds(i * 13 % 600).toString()));
        }
        lines.add(event("future", "acme-1", now.plus(2, ChronoUnit.HOURS).toString()));
        lines.add("{\"specversion\":\"1.0\",\"id\":\"no-subject\",\"source\":\"app\",\"type\":\"api.call\"}");
        lines.add("{\"specversion\":\"1.0\",\"id\":\"broken\",");
        file = dir.resolve("events.jsonl");
        Files.write(file, lines);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private static String event(String id, String subject, String time) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"app\",\"type\":\"api.call\",\"subject\":\""
                + subject + "\",\"time\":\"" + time + "\",\"data\":{\"n\":1}}";
    }

    private Cli.Run ingest(String... extra) {
        List<String> args = new ArrayList<>(List.of("ingest", file.toString(), "--url", server.url(), "--no-progress"));
        args.addAll(List.of(extra));
        return Cli.run(Map.of("TALLY_API_KEY", server.key()), args.toArray(String[]::new));
    }

    @Test
    void everyEventGetsExactlyOneOutcomeAndTheCountsAddUp() throws IOException {
        Path results = dir.resolve("results.jsonl");

        Cli.Run run = ingest("--batch", "1000", "--output", results.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        FileIngester.Summary s = run.<IngestCommand>command("ingest").summary;
        assertThat(s.events()).isEqualTo(UNIQUE + RESENT + 3);
        assertThat(s.accepted()).isEqualTo(UNIQUE);
        assertThat(s.duplicates()).isEqualTo(RESENT);
        assertThat(s.rejected()).isEqualTo(3);
        assertThat(s.accepted() + s.duplicates() + s.rejected()).isEqualTo(s.events());
        assertThat(s.rejectedByReason()).containsEntry("time_in_future", 1L).containsEntry("malformed_json", 1L)
                .containsEntry("missing_subject", 1L);
        assertThat(s.failedRequests()).isZero();
        assertThat(run.out()).contains("accepted", "duplicates", "rejected", "time_in_future");

        List<JsonNode> outcomes = new ArrayList<>();
        for (String line : Files.readAllLines(results)) {
            outcomes.add(Jsons.MAPPER.readTree(line));
        }
        assertThat(outcomes).hasSize((int) s.events());
        assertThat(outcomes).extracting(o -> o.get("line").asLong()).isSorted();
        assertThat(outcomes).filteredOn(o -> o.get("status").asText().equals("duplicate")).hasSize(RESENT)
                .allMatch(o -> o.get("source").asText().equals("app"));
        assertThat(outcomes).filteredOn(o -> o.path("id").asText().equals("future"))
                .singleElement().satisfies(o -> {
                    assertThat(o.get("status").asText()).isEqualTo("rejected");
                    assertThat(o.get("reason").asText()).isEqualTo("time_in_future");
                    assertThat(o.path("detail").asText()).as("the server's detail is kept").isNotBlank();
                });
    }

    @Test
    void loadingTheSameFileAgainAcceptsNothingNew() {
        assertThat(ingest().exitCode()).isZero();

        Cli.Run again = ingest("--batch", "333");

        assertThat(again.exitCode()).isZero();
        FileIngester.Summary s = again.<IngestCommand>command("ingest").summary;
        assertThat(s.accepted()).isZero();
        assertThat(s.duplicates()).isEqualTo(UNIQUE + RESENT);
        assertThat(s.rejected()).isEqualTo(3);
    }

    @Test
    void aOneEventFileIsSummedUpInTheSingularAndWithoutARate() throws IOException {
        Path one = dir.resolve("one.jsonl");
        Files.writeString(one, event("single", "acme-1", Instant.now().toString()) + "\n");

        Cli.Run run = Cli.run(Map.of("TALLY_API_KEY", server.key()), "ingest", one.toString(), "--url", server.url(),
                "--no-progress");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("ingested " + one + ": 1 event in 1 request, ").doesNotContain("events/s");
    }

    @Test
    void aWrongKeyFailsWithExitStatusOne() {
        Cli.Run run = ingest("--key", "not-the-key");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("refused the API key");
    }
}

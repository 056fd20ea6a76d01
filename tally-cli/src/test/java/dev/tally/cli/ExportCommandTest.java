package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tally export events|usage} against the real server: pages, resume after an interruption, Parquet parts. */
class ExportCommandTest {
    @TempDir
    Path dir;
    EmbeddedServer server;
    String from;
    String to;

    @BeforeEach
    void start() throws Exception {
        server = new EmbeddedServer(dir.resolve("data"));
        Instant base = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);
        from = base.toString();
        to = base.plus(2, ChronoUnit.HOURS).toString();
        HttpClient http = HttpClient.newHttpClient();
        send(http, "/v1/meters", "application/json",
                "{\"key\":\"tokens\",\"event_type\":\"llm\",\"aggregation\":\"sum\",\"value_path\":\"tokens\"}");
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 45; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"e").append(i)
                    .append("\",\"source\":\"app\",\"type\":\"llm\",\"subject\":\"c").append(i % 5)
                    .append("\",\"time\":\"").append(base.plusSeconds(i * 60L)).append("\",\"data\":{\"tokens\":")
                    .append(i).append("}}");
        }
        send(http, "/v1/events", "application/cloudevents-batch+json", sb.append("]").toString());
    }

    void send(HttpClient http, String path, String type, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Authorization", "Bearer " + server.key()).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isBetween(200, 201);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    Cli.Run export(String... extra) {
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of("export", extra[0], "--url",
                server.url(), "--key", server.key(), "--from", from, "--to", to, "--no-progress"));
        all.addAll(java.util.List.of(extra).subList(1, extra.length));
        return Cli.run(all.toArray(String[]::new));
    }

    @Test
    void anInterruptedCsvExportResumesToExactlyTheWholeFile() throws Exception {
        Path whole = dir.resolve("whole.csv");
        Cli.Run run = export("events", "--format", "csv", "--out", whole.toString(), "--page-size", "10");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("45 rows exported");
        assertThat(Files.readAllLines(whole)).hasSize(46);

        Path part = dir.resolve("part.csv");
        assertThat(export("events", "--format", "csv", "--out", part.toString(), "--page-size", "10",
                "--max-pages", "2").exitCode()).isZero();
        assertThat(dir.resolve("part.csv.resume")).exists();
        Files.writeString(part, "torn,half,written,row", StandardOpenOption.APPEND);
        Cli.Run resumed = export("events", "--format", "csv", "--out", part.toString(), "--page-size", "10",
                "--resume");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(Files.readString(part)).isEqualTo(Files.readString(whole));
        assertThat(dir.resolve("part.csv.resume")).doesNotExist();
    }

    @Test
    void usageParquetPagesAreSeparateFiles() throws Exception {
        Path out = dir.resolve("usage.parquet");
        Cli.Run run = export("usage", "--meter", "tokens", "--format", "parquet", "--out", out.toString(),
                "--page-size", "2");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(Files.readString(out, java.nio.charset.StandardCharsets.ISO_8859_1)).startsWith("PAR1");
        assertThat(dir.resolve("usage-part-00001.parquet")).exists();
        assertThat(run.out()).containsPattern("\\d+ rows exported");
    }

    @Test
    void anUnknownMeterFailsWithTheServersProblem() {
        Cli.Run run = export("usage", "--meter", "nope", "--out", dir.resolve("x.csv").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("404");
    }
}

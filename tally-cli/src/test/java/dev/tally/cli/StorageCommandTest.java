package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.engine.log.DedupSettings;
import dev.tally.server.ServerConfig;
import dev.tally.server.TallyServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tally storage} against a real server whose duplicate index's memory tier holds a few ids only. */
class StorageCommandTest {
    @TempDir
    Path dir;

    @Test
    void printsTheIdsOfTheDedupWindowPerTierFromTheServersMetrics() throws Exception {
        ServerConfig config = ServerConfig.fromEnvironment(Map.of()).withPort(0).withDataDir(dir)
                .withDedup(DedupSettings.DEFAULTS.withMemoryBytes(256));
        try (TallyServer server = TallyServer.start(config, Clock.systemUTC())) {
            String key = ApiKeys.fromFile(dir.resolve(ApiKeys.KEY_FILE)).orElseThrow();
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < 500; i++) {
                body.append(i == 0 ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"e").append(i)
                        .append("\",\"source\":\"s\",\"type\":\"t\",\"subject\":\"c\",\"time\":\"")
                        .append(Instant.now().minusSeconds(60)).append("\",\"data\":{}}");
            }
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/v1/events"))
                    .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.append("]").toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);

            assertThat(server.engine().checkpoint()).isTrue();
            Cli.Run run = Cli.run("storage", "--url", "http://127.0.0.1:" + server.port());

            assertThat(run.exitCode()).isZero();
            assertThat(run.out()).contains("duplicate index", "event log:", "checkpoint:")
                    .containsPattern("[0-9,]+ bytes on local disk, 0 bytes archived")
                    .containsPattern("segments: 1 plain, 0 compressed, 0 archived; oldest local record: 20[0-9-]+T");
            Map<String, Long> m = StorageCommand.parse(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            long memory = m.get("tally_dedup_window_ids{tier=\"memory\"}");
            long disk = m.get("tally_dedup_window_ids{tier=\"disk\"}");
            assertThat(memory + disk).isEqualTo(500); // a spill in flight still counts as memory
            assertThat(m.get("tally_dedup_heap_bytes{tier=\"memory\"}")).isPositive();
            assertThat(run.out()).containsPattern("memory +[0-9,]+").containsPattern("disk +[0-9,]+");
            assertThat(run.out()).containsPattern("the last took [0-9.]+ s and wrote [0-9,]+ bytes")
                    .contains("chain loaded at restart:");
            assertThat(m).containsKeys("tally_checkpoint_duration_seconds", "tally_checkpoint_written_bytes",
                    "tally_checkpoint_size_bytes", "tally_checkpoint_deltas", "tally_checkpoint_compactions_total");
            assertThat(m.get("tally_checkpoint_written_bytes")).as("the base: 500 positions at least").isGreaterThan(500 * 8);
            assertThat(m.get("tally_checkpoint_size_bytes")).isGreaterThanOrEqualTo(m.get("tally_checkpoint_written_bytes"));
            // one open segment: every position still in heap, none indexed yet
            assertThat(m).containsEntry("tally_usage_positions{tier=\"heap\"}", 500L)
                    .containsEntry("tally_usage_positions{tier=\"disk\"}", 0L);
            assertThat(run.out()).contains("per-customer event positions: 500 in heap");
        }
    }

    @Test
    void parsesPrometheusSamplesWithoutFloatingPoint() {
        Map<String, Long> m = StorageCommand.parse("# HELP x\nx_total 1.2345E7\ny{tier=\"disk\",} 42.0\nz NaN\n");
        assertThat(m).containsEntry("x_total", 12_345_000L).containsEntry("y{tier=\"disk\"}", 42L)
                .doesNotContainKey("z");
    }
}

package dev.tally.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.Window;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointRecoveryTest {
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    final ObjectMapper mapper = Json.newMapper();

    @TempDir
    Path dir;

    void send(Engine e, int from, int to) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = from; i < to; i++) {
            sb.append(i == from ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"e").append(i)
                    .append("\",\"source\":\"s\",\"type\":\"t\",\"subject\":\"c").append(i % 3)
                    .append("\",\"time\":\"2026-11-20T10:00:00Z\",\"data\":{\"n\":").append(i).append("}}");
        }
        byte[] body = sb.append("]").toString().getBytes(StandardCharsets.UTF_8);
        e.ingest(Engine.DEFAULT_TENANT, e.eventReader().read(body, CloudEventReader.BodyShape.BATCH));
    }

    String total(Engine e) {
        return e.usage(Engine.DEFAULT_TENANT, new UsageRequest("n", Optional.empty(), NOW.minusSeconds(86_400),
                NOW, Window.NONE, ZoneOffset.UTC, List.of(), Map.of())).get(0).value().toPlainString();
    }

    @Test
    void restartFromAnOldCheckpointReplaysOnlyTheTailAndCountsEverythingOnce() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            e.createMeter(Engine.DEFAULT_TENANT, mapper.readTree(
                    "{\"key\":\"n\",\"event_type\":\"t\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
            send(e, 0, 100);
            assertThat(e.checkpoint()).isTrue();
            CheckpointFixtures.copyTree(dir.resolve("checkpoint"), dir.resolve("old-checkpoint"));
            send(e, 100, 200);
            e.cancel(Engine.DEFAULT_TENANT, "s", "e5");
        }
        CheckpointFixtures.deleteTree(dir.resolve("checkpoint"));
        Files.move(dir.resolve("old-checkpoint"), dir.resolve("checkpoint"));
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            assertThat(total(e)).isEqualTo(String.valueOf(199 * 200 / 2 - 5));
            send(e, 150, 250);
            assertThat(total(e)).isEqualTo(String.valueOf(249 * 250 / 2 - 5));
            assertThat(e.reconcile(Engine.DEFAULT_TENANT, NOW.minusSeconds(86_400), NOW).differences()).isEmpty();
        }
    }

    @Test
    void aDamagedCheckpointIsIgnoredAndTheLogReplayed() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            e.createMeter(Engine.DEFAULT_TENANT, mapper.readTree(
                    "{\"key\":\"n\",\"event_type\":\"t\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
            send(e, 0, 50);
        }
        Path base = CheckpointFixtures.only(dir.resolve("checkpoint"), "base-");
        byte[] bytes = Files.readAllBytes(base);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(base, bytes);
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            assertThat(total(e)).isEqualTo(String.valueOf(49 * 50 / 2));
            send(e, 0, 50);
            assertThat(e.stats().duplicates()).isEqualTo(50);
        }
    }
}

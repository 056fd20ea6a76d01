package dev.tally.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.Window;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A duration meter on both stores: a session open across a restart keeps its marks (checkpoint, then the log's
 * tail), its stop after the restart closes it, a new meter version with another timeout re-measures the events of
 * its time, and reconciliation finds nothing.
 */
class DurationMeterRestartTest {
    static final String T = Engine.DEFAULT_TENANT;
    final ObjectMapper json = Json.newMapper();
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-10T10:00:00Z"));
    final List<String> databases = new ArrayList<>();

    @TempDir
    Path dir;

    static Stream<TestStore> stores() {
        return TestStore.both();
    }

    @AfterEach
    void dropDatabases() {
        databases.forEach(TestDatabases::drop);
    }

    void send(Engine e, String id, String time, String action) {
        String body = "[{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"s\",\"type\":\"session\","
                + "\"subject\":\"acme\",\"time\":\"" + time + "\",\"data\":{\"sid\":\"vm-1\",\"action\":\"" + action + "\"}}]";
        var r = e.ingest(T, e.eventReader().read(body.getBytes(StandardCharsets.UTF_8), CloudEventReader.BodyShape.BATCH));
        assertThat(r.accepted()).isEqualTo(1);
    }

    String seconds(Engine e) {
        return e.usage(T, new UsageRequest("uptime", Optional.of("acme"), Instant.parse("2026-11-10T00:00:00Z"),
                Instant.parse("2026-11-11T00:00:00Z"), Window.NONE, ZoneOffset.UTC, List.of(), Map.of()))
                .get(0).value().toPlainString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aSessionOpenAcrossARestartIsClosedByItsStopAndReMeasuredByANewVersion(TestStore store) throws Exception {
        EngineConfig config = store.config(dir, databases);
        try (Engine e = Engine.open(config, clock)) {
            e.createMeter(T, json.readTree("{\"key\":\"uptime\",\"event_type\":\"session\",\"aggregation\":\"duration\","
                    + "\"time_unit\":\"second\",\"duration\":{\"key\":\"sid\",\"kind_path\":\"action\",\"timeout\":\"PT10M\"}}"));
            send(e, "a", "2026-11-10T10:00:00Z", "start");
            clock.advance(Duration.ofMinutes(8));
            send(e, "b", "2026-11-10T10:08:00Z", "heartbeat");
            assertThat(seconds(e)).isEqualTo("480"); // open: up to now
        }
        clock.advance(Duration.ofMinutes(4));
        try (Engine e = Engine.open(config, clock)) {
            assertThat(seconds(e)).isEqualTo("720");
            send(e, "c", "2026-11-10T10:12:00Z", "stop");
            clock.advance(Duration.ofHours(1));
            assertThat(seconds(e)).isEqualTo("720");
            // version 2 from 10:05 with a 2-minute timeout: v1 counts 10:00-10:05, v2 the heartbeat's 2 minutes
            e.putMeter(T, "uptime", json.readTree("{\"event_type\":\"session\",\"aggregation\":\"duration\","
                    + "\"time_unit\":\"second\",\"effective_from\":\"2026-11-10T10:05:00Z\","
                    + "\"duration\":{\"key\":\"sid\",\"kind_path\":\"action\",\"timeout\":\"PT2M\"}}"));
            assertThat(seconds(e)).isEqualTo(String.valueOf(5 * 60 + 2 * 60));
            assertThat(e.reconcile(T, Instant.parse("2026-11-10T00:00:00Z"), Instant.parse("2026-11-11T00:00:00Z"))
                    .differences()).isEmpty();
        }
        try (Engine e = Engine.open(config, clock)) {
            assertThat(seconds(e)).isEqualTo("420");
        }
    }
}

package dev.tally.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.Window;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment of {@code tally serve} in the Kafka mode, and a process that is API node and worker at once. */
class KafkaModeConfigTest {
    @TempDir
    Path dir;

    @Test
    void theModeIsOffWithoutBootstrapServersAndReadsItsSettings() {
        assertThat(KafkaMode.fromEnvironment(Map.of())).isEmpty();
        assertThat(KafkaMode.fromEnvironment(Map.of("TALLY_KAFKA_BOOTSTRAP", " "))).isEmpty();
        KafkaMode m = KafkaMode.fromEnvironment(Map.of("TALLY_KAFKA_BOOTSTRAP", "k1:9092,k2:9092")).orElseThrow();
        assertThat(m.role()).isEqualTo(KafkaMode.Role.ALL);
        assertThat(m.topic()).isEqualTo("tally-events");
        assertThat(m.partitions()).isEqualTo(12);
        assertThat(m.workers()).isEqualTo(1);
        assertThat(m.clientConfig()).containsEntry("bootstrap.servers", "k1:9092,k2:9092");
        KafkaMode api = KafkaMode.fromEnvironment(Map.of("TALLY_KAFKA_BOOTSTRAP", "k:9092", "TALLY_ROLE", "api",
                "TALLY_KAFKA_TOPIC", "usage", "TALLY_KAFKA_PARTITIONS", "48", "TALLY_KAFKA_WORKERS", "2")).orElseThrow();
        assertThat(api.role()).isEqualTo(KafkaMode.Role.API);
        assertThat(api.role().servesHttp()).isTrue();
        assertThat(api.role().runsWorkers()).isFalse();
        assertThat(api.topic()).isEqualTo("usage");
        assertThat(api.partitions()).isEqualTo(48);
        assertThat(api.workers()).isEqualTo(2);
        assertThat(KafkaMode.Role.WORKER.servesHttp()).isFalse();
    }

    @Test
    void badSettingsAreNamed() {
        assertThatThrownBy(() -> KafkaMode.fromEnvironment(Map.of("TALLY_KAFKA_BOOTSTRAP", "k:9092", "TALLY_ROLE", "boss")))
                .hasMessageContaining("TALLY_ROLE");
        assertThatThrownBy(() -> KafkaMode.fromEnvironment(Map.of("TALLY_KAFKA_BOOTSTRAP", "k:9092",
                "TALLY_KAFKA_PARTITIONS", "0"))).hasMessageContaining("TALLY_KAFKA_PARTITIONS");
        assertThatThrownBy(() -> KafkaMode.fromEnvironment(Map.of("TALLY_KAFKA_BOOTSTRAP", "k:9092",
                "TALLY_KAFKA_REPLICATION", "three"))).hasMessageContaining("TALLY_KAFKA_REPLICATION");
    }

    @Test
    void aProcessInRoleAllCreatesTheTopicRunsAWorkerAndServesFromIt() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        String url = TestDatabases.createMigrated();
        String topic = "tally-mode-" + System.nanoTime();
        try (KafkaMode mode = KafkaMode.fromEnvironment(Map.of("TALLY_KAFKA_BOOTSTRAP", kafka.bootstrapServers(),
                "TALLY_KAFKA_TOPIC", topic, "TALLY_KAFKA_PARTITIONS", "3")).orElseThrow()) {
            assertThat(mode.startWorkers(url)).hasSize(1);
            assertThat(KafkaTopics.ensure(kafka.clientConfig(), topic, 8, (short) 1)).as("existing topic kept").isEqualTo(3);
            try (Engine e = Engine.open(EngineConfig.of(dir).onPostgres(url),
                    new ManualClock(Instant.parse("2026-11-15T00:00:00Z")), mode.storeFactory())) {
                e.createMeter("default", Json.newMapper().readTree(
                        "{\"key\":\"n\",\"event_type\":\"call\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
                byte[] body = ("[{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"call\",\"subject\":\"acme\","
                        + "\"time\":\"2026-11-14T00:00:00Z\",\"data\":{\"n\":4}}]").getBytes(StandardCharsets.UTF_8);
                assertThat(e.ingest("default", e.eventReader().read(body, CloudEventReader.BodyShape.BATCH)).accepted())
                        .isEqualTo(1);
                assertThat(e.usage("default", new UsageRequest("n", Optional.of("acme"),
                        Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"), Window.NONE,
                        ZoneOffset.UTC, List.of(), Map.of())).get(0).value()).isEqualByComparingTo("4");
            }
        } finally {
            TestDatabases.drop(url);
        }
    }
}

package dev.tally.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.ingest.EventStore;
import dev.tally.engine.ingest.IngestResult;
import dev.tally.engine.ingest.StorageUnavailableException;
import dev.tally.engine.store.Database;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka mode's contract in the small: acks, read-your-writes across nodes, duplicates, cancels, failures. */
class KafkaModeTest {
    static final String T = Engine.DEFAULT_TENANT;
    final ObjectMapper json = Json.newMapper();
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-15T12:00:00Z"));
    final List<AutoCloseable> open = new ArrayList<>();
    EmbeddedKafka kafka;
    String url;
    String topic;

    @TempDir
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        kafka = EmbeddedKafka.shared();
        url = TestDatabases.createMigrated();
        topic = kafka.newTopic(2);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        TestDatabases.drop(url);
    }

    <C extends AutoCloseable> C keep(C c) {
        open.add(c);
        return c;
    }

    Engine apiNode(String name) {
        return keep(Engine.open(EngineConfig.of(dir.resolve(name)).onPostgres(url).withSecrets(TestDatabases.SECRETS), clock,
                KafkaEventStore.factory(kafka.clientConfig(), topic, Duration.ofSeconds(30))));
    }

    KafkaWorker worker(String name) {
        Database db = keep(Database.postgres(url));
        return keep(new KafkaWorker(kafka.workerConfig(topic), topic, db, name)).start();
    }

    static String event(String id, String customer, int n) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"app\",\"type\":\"call\",\"subject\":\""
                + customer + "\",\"time\":\"2026-11-14T10:00:00Z\",\"data\":{\"n\":" + n + "}}";
    }

    static IngestResult send(Engine e, String... events) {
        byte[] body = ("[" + String.join(",", events) + "]").getBytes(StandardCharsets.UTF_8);
        return e.ingest(T, e.eventReader().read(body, CloudEventReader.BodyShape.BATCH));
    }

    static UsageRequest total(String meter, String customer) {
        return new UsageRequest(meter, Optional.of(customer), Instant.parse("2026-11-01T00:00:00Z"),
                Instant.parse("2026-12-01T00:00:00Z"), Window.NONE, ZoneOffset.UTC, List.of(), Map.of());
    }

    static String value(Engine e, String meter, String customer) {
        return e.usage(T, total(meter, customer)).get(0).value().toPlainString();
    }

    @Test
    void eventsAcknowledgedThroughOneNodeAreCountedOnceAndSeenByTheOther() throws Exception {
        Engine a = apiNode("a");
        Engine b = apiNode("b");
        worker("w1");
        a.createMeter(T, json.readTree("{\"key\":\"n\",\"event_type\":\"call\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));

        IngestResult r = send(a, event("1", "acme", 5), event("2", "acme", 7), event("1", "acme", 5));
        assertThat(r.accepted()).isEqualTo(2);
        assertThat(r.duplicates()).isEqualTo(1); // repeated within one request: known at once
        // node b learns the meter from the database and sees a's events: read-your-writes across nodes
        assertThat(value(b, "n", "acme")).isEqualTo("12");

        // re-sent through the other node: "accepted" (durably queued), but counted once
        assertThat(send(b, event("2", "acme", 7), event("3", "acme", 1)).accepted()).isEqualTo(2);
        assertThat(value(a, "n", "acme")).isEqualTo("13");
        assertThat(value(b, "n", "acme")).isEqualTo("13");

        // a cancel through b of an event acknowledged through a a moment ago
        send(a, event("4", "acme", 100));
        assertThat(b.cancel(T, "app", "4").alreadyCancelled()).isFalse();
        assertThat(value(b, "n", "acme")).isEqualTo("13");
        assertThat(value(a, "n", "acme")).isEqualTo("13");
        assertThat(a.reconcile(T, Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"))
                .differences()).isEmpty();
        assertThat(TestDatabases.queryLong(url, "SELECT count(*) FROM events WHERE kind = 1")).isEqualTo(4);
    }

    @Test
    void aMessageThatIsNoEventIsSkippedAndItsOffsetStillMoves() throws Exception {
        Engine a = apiNode("a");
        KafkaWorker w = worker("w1");
        a.createMeter(T, json.readTree("{\"key\":\"n\",\"event_type\":\"call\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
        Map<String, Object> p = new java.util.HashMap<>(kafka.clientConfig());
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int partition = 0; partition < 2; partition++) {
                producer.send(new ProducerRecord<>(topic, partition, null, "not an event".getBytes(StandardCharsets.UTF_8))).get();
            }
        }
        send(a, event("1", "acme", 5));
        assertThat(value(a, "n", "acme")).isEqualTo("5");
        assertThat(w.malformed()).isEqualTo(2);
    }

    @Test
    void withoutWorkersAQueryFailsRatherThanMissAcknowledgedEvents() throws Exception {
        Database db = keep(Database.postgres(url));
        KafkaEventStore store = keep(new KafkaEventStore(kafka.clientConfig(), topic, db, Duration.ofMillis(500)));
        byte[] tenant = "default".getBytes(StandardCharsets.UTF_8);
        byte[] record = EventRecordsTest.record("default", "app", "x", "call", "acme", Instant.parse("2026-11-14T10:00:00Z"));
        EventStore.Appended appended = store.appendNew(List.of(EventRecords.candidate(record)));
        assertThat(appended.positions()).containsExactly(EventStore.QUEUED);
        assertThatThrownBy(store::awaitAcknowledged).isInstanceOf(StorageUnavailableException.class)
                .hasMessageContaining("workers");
        // a worker comes: the wait succeeds and the event is stored
        worker("w1");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                store.awaitAcknowledged();
                break;
            } catch (StorageUnavailableException e) {
                assertThat(System.nanoTime() - deadline).as("the worker stores the event").isNegative();
            }
        }
        assertThat(store.positionOf(tenant, "app".getBytes(StandardCharsets.UTF_8), "x".getBytes(StandardCharsets.UTF_8)))
                .isPresent();
    }

    @Test
    void aSendKafkaDoesNotAcknowledgeAcknowledgesNothing() {
        Database db = keep(Database.postgres(url));
        KafkaEventStore store = keep(new KafkaEventStore(Map.of("bootstrap.servers", "127.0.0.1:1",
                "max.block.ms", 1000, "delivery.timeout.ms", 1500, "request.timeout.ms", 1000, "linger.ms", 0),
                topic, db, Duration.ofMillis(500)));
        byte[] record = EventRecordsTest.record("default", "app", "x", "call", "acme", Instant.parse("2026-11-14T10:00:00Z"));
        assertThatThrownBy(() -> store.appendNew(List.of(EventRecords.candidate(record))))
                .isInstanceOf(StorageUnavailableException.class);
    }
}

package dev.tally.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.ingest.IngestResult;
import dev.tally.engine.store.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput of the Kafka mode on this machine, for docs/SCALING.md (not part of the normal test run):
 *
 * <pre>
 * TALLY_TEST_PG=127.0.0.1:5432 ./mvnw -pl tally-kafka -am test -Dtest=KafkaThroughputBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtally.bench=true [-Dtally.bench.events=200000]
 * </pre>
 *
 * <ol>
 * <li>API side: N events (~20,000 customers, one meter) through API nodes into a topic of 4 partitions,
 * 1,000 events a request from 4 client threads, each request acknowledged by Kafka (acks=all);</li>
 * <li>worker side: the same topic drained into a fresh PostgreSQL database by 1, then 2, then 4 workers (each run
 * its own database and consumer group; {@code -Dtally.bench.workers=1,2,1,2} for another sequence), timed from
 * the workers' start (group join included) until every partition's stored offset reaches its end;</li>
 * <li>an API node opened on the loaded database: how fast a node applies what the workers stored.</li>
 * </ol>
 */
@EnabledIfSystemProperty(named = "tally.bench", matches = "true")
class KafkaThroughputBenchmark {
    static final String T = Engine.DEFAULT_TENANT;
    static final int EVENTS = Integer.getInteger("tally.bench.events", 200_000);
    static final int PARTITIONS = Integer.getInteger("tally.bench.partitions", 4);
    static final int REQUEST = 1000;

    @TempDir
    Path dir;

    static String event(int n) {
        Instant at = Instant.parse("2026-11-01T00:00:00Z").plusSeconds(n % (13 * 24 * 3600));
        return "{\"specversion\":\"1.0\",\"id\":\"ev-" + n + "\",\"source\":\"//api\",\"type\":\"api_call\","
                + "\"subject\":\"cust-" + (n * 7919L % 20_000) + "\",\"time\":\"" + at
                + "\",\"data\":{\"tokens\":" + (1 + n % 977) + ",\"model\":\"m" + (n % 3) + "\"}}";
    }

    @Test
    void measure() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        String topic = kafka.newTopic(PARTITIONS);
        ManualClock clock = new ManualClock(Instant.parse("2026-11-15T12:00:00Z"));
        List<String> rows = new ArrayList<>();
        Map<String, Object> apiConfig = new HashMap<>(kafka.clientConfig());
        apiConfig.put("compression.type", System.getProperty("tally.bench.compression", "lz4"));

        // 1. API nodes -> Kafka
        String apiDb = TestDatabases.create();
        try {
            for (int nodes : new int[] {1, 2}) {
                List<Engine> engines = new ArrayList<>();
                for (int i = 0; i < nodes; i++) {
                    engines.add(Engine.open(EngineConfig.of(dir.resolve("api-" + nodes + "-" + i)).onPostgres(apiDb).withSecrets(TestDatabases.SECRETS),
                            clock, KafkaEventStore.factory(apiConfig, topic)));
                }
                if (nodes == 1) {
                    engines.get(0).createMeter(T, Json.newMapper().readTree("{\"key\":\"tokens\",\"event_type\":"
                            + "\"api_call\",\"aggregation\":\"sum\",\"value_path\":\"tokens\",\"group_by\":[\"model\"]}"));
                }
                int from = nodes == 1 ? 0 : EVENTS / 2;
                int to = nodes == 1 ? EVENTS / 2 : EVENTS;
                long started = System.nanoTime();
                AtomicInteger next = new AtomicInteger(from);
                List<Thread> clients = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    Engine e = engines.get(c % nodes);
                    Thread t = Thread.ofPlatform().start(() -> {
                        int first;
                        while ((first = next.getAndAdd(REQUEST)) < to) {
                            StringBuilder body = new StringBuilder("[");
                            for (int n = first; n < Math.min(to, first + REQUEST); n++) {
                                body.append(n == first ? "" : ",").append(event(n));
                            }
                            byte[] bytes = body.append(']').toString().getBytes(StandardCharsets.UTF_8);
                            IngestResult r = e.ingest(T, e.eventReader().read(bytes, CloudEventReader.BodyShape.BATCH));
                            if (r.accepted() != Math.min(to, first + REQUEST) - first) {
                                throw new AssertionError("not all accepted: " + r.accepted());
                            }
                        }
                    });
                    clients.add(t);
                }
                for (Thread t : clients) {
                    t.join();
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                rows.add(String.format("| %d API node%s -> Kafka (acks=all), 4 clients x 1,000-event requests | %,d | %.1f s | %,.0f |",
                        nodes, nodes == 1 ? "" : "s", to - from, seconds, (to - from) / seconds));
                for (Engine e : engines) {
                    e.close();
                }
            }
        } finally {
            TestDatabases.drop(apiDb);
        }
        System.out.println(rows.get(rows.size() - 1));

        // 2. Kafka -> PostgreSQL with 1, 2, 4 workers
        String loaded = null;
        int[] runs = java.util.Arrays.stream(System.getProperty("tally.bench.workers", "1,2,4").split(","))
                .mapToInt(w -> Integer.parseInt(w.trim())).toArray();
        for (int workers : runs) {
            String url = TestDatabases.create();
            List<Database> dbs = new ArrayList<>();
            List<KafkaWorker> ws = new ArrayList<>();
            Map<String, Object> config = new HashMap<>(kafka.workerConfig(topic));
            config.put("group.id", "bench-" + workers + "-" + System.nanoTime());
            try {
                if (loaded == null) {
                    // this database is read back in step 3: give it the meter (the API database has its own)
                    try (Engine e = Engine.open(EngineConfig.of(dir.resolve("meter")).onPostgres(url).withSecrets(TestDatabases.SECRETS), clock)) {
                        e.createMeter(T, Json.newMapper().readTree("{\"key\":\"tokens\",\"event_type\":"
                                + "\"api_call\",\"aggregation\":\"sum\",\"value_path\":\"tokens\",\"group_by\":[\"model\"]}"));
                    }
                }
                long started = System.nanoTime();
                for (int i = 0; i < workers; i++) {
                    Database db = Database.postgres(url);
                    dbs.add(db);
                    ws.add(new KafkaWorker(config, topic, db, "b" + workers + "-" + i).start());
                }
                long sum;
                do {
                    Thread.sleep(20);
                    sum = TestDatabases.queryLong(url, "SELECT coalesce(sum(next_offset), 0) FROM kafka_offsets");
                } while (sum < EVENTS && System.nanoTime() - started < Duration.ofMinutes(10).toNanos());
                double seconds = (System.nanoTime() - started) / 1e9;
                assertThat(sum).isEqualTo(EVENTS);
                assertThat(TestDatabases.queryLong(url, "SELECT count(*) FROM events")).isEqualTo(EVENTS);
                long transactions = ws.stream().mapToLong(KafkaWorker::transactions).sum();
                double storeSeconds = ws.stream().mapToLong(KafkaWorker::storeNanos).sum() / 1e9;
                rows.add(String.format("| %d worker%s: Kafka -> PostgreSQL (from group join to the last offset stored) | %,d | %.1f s | %,.0f | %d transactions, %.1f s in them (summed over workers) |",
                        workers, workers == 1 ? "" : "s", EVENTS, seconds, EVENTS / seconds, transactions, storeSeconds));
                System.out.println(rows.get(rows.size() - 1));
            } finally {
                ws.forEach(KafkaWorker::stop);
                dbs.forEach(Database::close);
            }
            if (loaded == null) {
                loaded = url;
            } else {
                TestDatabases.drop(url);
            }
        }

        // 3. an API node applies what the workers stored (open = replay of the whole table)
        try {
            long started = System.nanoTime();
            try (Engine e = Engine.open(EngineConfig.of(dir.resolve("reader")).onPostgres(loaded).withSecrets(TestDatabases.SECRETS), clock,
                    KafkaEventStore.factory(kafka.clientConfig(), topic, Duration.ofSeconds(30)))) {
                double seconds = (System.nanoTime() - started) / 1e9;
                assertThat(e.ready()).isTrue();
                rows.add(String.format("| an API node applies the stored events (open: replay from PostgreSQL) | %,d | %.1f s | %,.0f |",
                        EVENTS, seconds, EVENTS / seconds));
            }
        } finally {
            TestDatabases.drop(loaded);
        }
        System.out.println();
        System.out.println("| step | events | time | events/s |");
        System.out.println("| --- | --- | --- | --- |");
        rows.forEach(System.out::println);
    }
}

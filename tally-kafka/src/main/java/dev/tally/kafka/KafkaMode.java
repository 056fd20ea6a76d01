package dev.tally.kafka;

import dev.tally.engine.ingest.EventStore;
import dev.tally.engine.store.Database;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The Kafka mode as configured by the environment, for {@code tally serve}:
 *
 * <ul>
 * <li>{@code TALLY_KAFKA_BOOTSTRAP}: the brokers (host:port,...); setting it turns the mode on, and then a
 * PostgreSQL database ({@code TALLY_DATABASE_URL}) is required (the caller checks);</li>
 * <li>{@code TALLY_ROLE}: {@code api} (HTTP API node: appends to Kafka, answers from PostgreSQL),
 * {@code worker} (stores partitions into PostgreSQL, no HTTP) or {@code all} (both in one process; the
 * default);</li>
 * <li>{@code TALLY_KAFKA_TOPIC} ({@value KafkaTopics#DEFAULT_TOPIC}), {@code TALLY_KAFKA_PARTITIONS} (12, used
 * only when the topic is created), {@code TALLY_KAFKA_REPLICATION} (the brokers' default unless given);</li>
 * <li>{@code TALLY_KAFKA_WORKERS}: worker consumers in this process (1).</li>
 * </ul>
 */
public final class KafkaMode implements AutoCloseable {
    /** What a process does in the Kafka mode. */
    public enum Role {
        API, WORKER, ALL;

        public boolean servesHttp() {
            return this != WORKER;
        }

        public boolean runsWorkers() {
            return this != API;
        }
    }

    private final Map<String, Object> clientConfig;
    private final String topic;
    private final Role role;
    private final int partitions;
    private final Optional<Short> replication;
    private final int workers;
    private final List<KafkaWorker> running = new ArrayList<>();
    private Database workerDb;
    private boolean topicReady;

    KafkaMode(Map<String, Object> clientConfig, String topic, Role role, int partitions, Optional<Short> replication,
            int workers) {
        this.clientConfig = Map.copyOf(clientConfig);
        this.topic = topic;
        this.role = role;
        this.partitions = partitions;
        this.replication = replication;
        this.workers = workers;
    }

    /** The mode the environment asks for; empty when TALLY_KAFKA_BOOTSTRAP is not set. */
    public static Optional<KafkaMode> fromEnvironment(Map<String, String> env) {
        String bootstrap = env.getOrDefault("TALLY_KAFKA_BOOTSTRAP", "").trim();
        if (bootstrap.isEmpty()) {
            return Optional.empty();
        }
        Role role;
        String r = env.getOrDefault("TALLY_ROLE", "all").trim().toUpperCase(Locale.ROOT);
        try {
            role = Role.valueOf(r);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TALLY_ROLE must be api, worker or all (was '" + r.toLowerCase(Locale.ROOT)
                    + "')");
        }
        String topic = env.getOrDefault("TALLY_KAFKA_TOPIC", KafkaTopics.DEFAULT_TOPIC).trim();
        int partitions = positive(env, "TALLY_KAFKA_PARTITIONS", 12);
        Optional<Short> replication = Optional.ofNullable(env.get("TALLY_KAFKA_REPLICATION")).filter(s -> !s.isBlank())
                .map(s -> (short) positive(env, "TALLY_KAFKA_REPLICATION", 1));
        int workers = positive(env, "TALLY_KAFKA_WORKERS", 1);
        Map<String, Object> client = new HashMap<>();
        client.put("bootstrap.servers", bootstrap);
        return Optional.of(new KafkaMode(client, topic, role, partitions, replication, workers));
    }

    private static int positive(Map<String, String> env, String name, int fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(name + " must be a positive whole number (was '" + v + "')");
    }

    public Role role() {
        return role;
    }

    public String topic() {
        return topic;
    }

    public int partitions() {
        return partitions;
    }

    public int workers() {
        return workers;
    }

    Map<String, Object> clientConfig() {
        return clientConfig;
    }

    /** Creates the topic unless it exists; returns its partition count. */
    public synchronized int ensureTopic() {
        int n = KafkaTopics.ensure(clientConfig, topic, partitions, replication);
        topicReady = true;
        return n;
    }

    /** The API node's event store, for {@code Engine.open(config, clock, factory)}. */
    public Function<Database, EventStore> storeFactory() {
        return db -> {
            synchronized (this) {
                if (!topicReady) {
                    ensureTopic();
                }
            }
            return new KafkaEventStore(clientConfig, topic, db);
        };
    }

    /** Starts this process's workers on the database (PostgreSQL URL); {@link #close} stops them. */
    public synchronized List<KafkaWorker> startWorkers(String databaseUrl) {
        if (!topicReady) {
            ensureTopic();
        }
        workerDb = Database.postgres(databaseUrl);
        String host = ProcessHandle.current().pid() + "";
        for (int i = 0; i < workers; i++) {
            running.add(new KafkaWorker(clientConfig, topic, workerDb, host + "-" + i).start());
        }
        return List.copyOf(running);
    }

    @Override
    public synchronized void close() {
        running.forEach(KafkaWorker::stop);
        running.clear();
        if (workerDb != null) {
            workerDb.close();
            workerDb = null;
        }
    }
}

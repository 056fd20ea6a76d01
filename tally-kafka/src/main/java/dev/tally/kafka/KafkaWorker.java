package dev.tally.kafka;

import dev.tally.engine.ingest.EventStore;
import dev.tally.engine.ingest.PostgresEventStore;
import dev.tally.engine.store.Database;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker node: owns some partitions of the events topic through the consumer group {@value #GROUP} and
 * stores their events in PostgreSQL.
 *
 * <p>Each poll's records go to PostgreSQL in <em>one</em> transaction together with the next offset of every
 * partition they came from ({@code kafka_offsets}); the unique index on (tenant, source, id) drops events
 * stored before, whoever sent them and through whichever node. So an event's effect happens exactly once:
 * a crash before the commit stores neither events nor offsets and the partition's next owner replays them;
 * a crash after it stores both, and the next owner starts after them. On assignment a partition is sought to
 * the offset stored in PostgreSQL, never to Kafka's committed offset (which is written afterwards, only so
 * that the usual lag tools show the group's progress).
 *
 * <p>A worker holds no aggregates: every node (API nodes included) applies what the workers stored by
 * tailing PostgreSQL ({@code Engine.syncWithOthers()}).
 */
public final class KafkaWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaWorker.class);
    public static final String GROUP = "tally-workers";

    private final String name;
    private final String topic;
    private final Database db;
    private final PostgresEventStore store;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    /** partition -> the next offset stored in PostgreSQL, for the partitions this worker owns. */
    private final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    private volatile boolean killed;
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong rebalances = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();
    private final AtomicLong storeNanos = new AtomicLong();
    /** Runs inside each transaction after the events' insert, before the offsets (tests: a crash point). */
    volatile Runnable beforeCommit = () -> { };

    /**
     * @param clientConfig Kafka client settings: at least {@code bootstrap.servers}; consumer settings may be
     *            added (e.g. {@code session.timeout.ms}, how soon a crashed worker's partitions move). The group
     *            ({@value #GROUP} unless {@code group.id} is given), manual offsets, read_committed and the
     *            deserializers are set here.
     * @param db the PostgreSQL database (not closed by the worker)
     */
    public KafkaWorker(Map<String, Object> clientConfig, String topic, Database db, String name) {
        if (!db.isPostgres()) {
            throw new IllegalArgumentException("Kafka workers store events in PostgreSQL");
        }
        this.name = name;
        this.topic = topic;
        this.db = db;
        this.store = new PostgresEventStore(db);
        this.consumer = new KafkaConsumer<>(consumerConfig(clientConfig, name));
        this.thread = new Thread(this::run, "tally-kafka-worker-" + name);
        this.thread.setDaemon(true);
    }

    static Map<String, Object> consumerConfig(Map<String, Object> clientConfig, String name) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "tally-worker-" + name);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
        c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        c.putAll(clientConfig);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return c;
    }

    public KafkaWorker start() {
        thread.start();
        return this;
    }

    public String name() {
        return name;
    }

    /** The partitions this worker owns now. */
    public Set<Integer> partitions() {
        return new TreeSet<>(owned);
    }

    /** Events this worker stored (new ones only). */
    public long storedEvents() {
        return stored.get();
    }

    /** Events it found stored before (re-sent through any node, or replayed after a crash or rebalance). */
    public long duplicates() {
        return duplicates.get();
    }

    /** Messages that were not event records (skipped, and their offsets still move on). */
    public long malformed() {
        return malformed.get();
    }

    /** Events of a batch a kill abandoned before its transaction committed (their new owner stores them). */
    public long abandoned() {
        return abandoned.get();
    }

    public long transactions() {
        return transactions.get();
    }

    /** How many times partitions were assigned to this worker. */
    public long assignments() {
        return rebalances.get();
    }

    /** Time spent in PostgreSQL transactions (where workers queue behind each other's event-writer lock). */
    long storeNanos() {
        return storeNanos.get();
    }

    boolean killed() {
        return killed;
    }

    public boolean isAlive() {
        return thread.isAlive();
    }

    /** Stops cleanly: the batch in hand is committed, then the worker leaves the group (a prompt rebalance). */
    public void stop() {
        stopping = true;
        consumer.wakeup();
        join();
    }

    /**
     * Simulates a crash: the batch in hand is abandoned before its transaction commits, and the consumer goes
     * away without leaving the group, so the coordinator notices only when the session times out; then the
     * partitions move and their new owner replays from the offsets stored in PostgreSQL.
     */
    public void kill() {
        killed = true;
        stopping = true;
        consumer.wakeup();
        join();
    }

    private void join() {
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        if (thread.isAlive()) {
            stop();
        } else if (thread.getState() == Thread.State.NEW) {
            consumer.close();
        }
    }

    private void run() {
        long backoff = 0;
        try {
            consumer.subscribe(List.of(topic), new Listener());
            while (!stopping) {
                try {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                    if (!stopping) {
                        process(records);
                    }
                    backoff = 0;
                } catch (WakeupException e) {
                    // stop() or kill(): the loop condition decides
                } catch (RuntimeException e) {
                    if (stopping) {
                        break;
                    }
                    backoff = Math.min(5_000, Math.max(100, backoff * 2));
                    LOG.warn("worker {}: batch failed, retrying from the stored offsets in {} ms: {}", name, backoff,
                            e.toString());
                    sleep(backoff);
                    rewind();
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("worker {} stopped on an unexpected failure", name, e);
        } finally {
            owned.clear();
            try {
                if (killed) {
                    consumer.close(CloseOptions.groupMembershipOperation(
                            CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP).withTimeout(Duration.ZERO));
                } else {
                    consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
                }
            } catch (RuntimeException e) {
                LOG.debug("worker {}: closing the consumer", name, e);
            }
            LOG.info("worker {} {}: stored {} events, {} duplicates, {} transactions{}", name,
                    killed ? "killed" : "stopped", stored.get(), duplicates.get(), transactions.get(),
                    killed ? ", abandoned a batch of " + abandoned.get() : "");
        }
    }

    private void process(ConsumerRecords<byte[], byte[]> records) {
        List<EventStore.Candidate> candidates = new ArrayList<>(records.count());
        Set<String> identities = new HashSet<>();
        long repeatedInBatch = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            EventStore.Candidate c;
            try {
                c = EventRecords.candidate(r.value());
            } catch (IllegalArgumentException e) {
                malformed.incrementAndGet();
                LOG.warn("worker {}: skipping {}-{}@{}: {}", name, r.topic(), r.partition(), r.offset(), e.getMessage());
                continue;
            }
            String identity = new String(c.tenant(), StandardCharsets.UTF_8) + '\0'
                    + new String(c.source(), StandardCharsets.UTF_8) + '\0' + new String(c.id(), StandardCharsets.UTF_8);
            if (identities.add(identity)) {
                candidates.add(c);
            } else {
                repeatedInBatch++;
            }
        }
        // Where each owned partition stands after this poll: the consumer's position covers every record
        // returned (and anything it skipped, such as transaction markers).
        Map<TopicPartition, Long> next = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            long position = consumer.position(tp, Duration.ofSeconds(5));
            if (position > committed.getOrDefault(tp, -1L)) {
                next.put(tp, position);
            }
        }
        if (candidates.isEmpty() && next.isEmpty()) {
            return;
        }
        Map<Integer, Long> offsets = new HashMap<>();
        next.forEach((tp, o) -> offsets.put(tp.partition(), o));
        PostgresEventStore.InTransaction writeOffsets = c -> {
            beforeCommit.run();
            if (killed) {
                throw new SQLException("worker " + name + " was killed before its transaction committed");
            }
            StoredOffsets.advance(c, topic, offsets);
        };
        long newOnes = 0;
        long started = System.nanoTime();
        try {
            if (candidates.isEmpty()) {
                db.inTransaction(c -> {
                    writeOffsets.run(c);
                    return null;
                });
            } else {
                // the worker never reads the tail, so skip over what others stored since its last append
                store.seeEverything();
                EventStore.Appended appended = store.appendNew(candidates, writeOffsets);
                for (long p : appended.positions()) {
                    if (p >= 0) {
                        newOnes++;
                    }
                }
            }
        } catch (RuntimeException e) {
            if (killed) {
                abandoned.addAndGet(candidates.size());
            }
            throw e;
        } finally {
            storeNanos.addAndGet(System.nanoTime() - started);
        }
        transactions.incrementAndGet();
        committed.putAll(next);
        stored.addAndGet(newOnes);
        duplicates.addAndGet(candidates.size() - newOnes + repeatedInBatch);
        Map<TopicPartition, OffsetAndMetadata> forLagTools = new HashMap<>();
        next.forEach((tp, o) -> forLagTools.put(tp, new OffsetAndMetadata(o)));
        consumer.commitAsync(forLagTools, (o, e) -> {
            if (e != null) {
                LOG.debug("worker {}: committing offsets to Kafka (for lag tools only) failed: {}", name, e.toString());
            }
        });
    }

    /** After a failed transaction: back to the offsets PostgreSQL holds, so nothing polled is skipped. */
    private void rewind() {
        for (TopicPartition tp : consumer.assignment()) {
            Long at = committed.get(tp);
            if (at != null) {
                consumer.seek(tp, at);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            rebalances.incrementAndGet();
            Map<Integer, Long> stored = readStoredOffsets();
            for (TopicPartition tp : partitions) {
                Long at = stored.get(tp.partition());
                if (at == null) {
                    consumer.seekToBeginning(List.of(tp));
                    committed.put(tp, 0L);
                } else {
                    consumer.seek(tp, at);
                    committed.put(tp, at);
                }
                owned.add(tp.partition());
            }
            LOG.info("worker {} now owns partitions {} of {}", name, new TreeSet<>(owned), topic);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // every batch is stored (or abandoned) before poll returns, so there is nothing to hand over
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        private void forget(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                committed.remove(tp);
                owned.remove(tp.partition());
            }
        }

        private Map<Integer, Long> readStoredOffsets() {
            long backoff = 100;
            while (true) {
                try {
                    return StoredOffsets.read(db, topic);
                } catch (RuntimeException e) {
                    if (stopping) {
                        throw e;
                    }
                    LOG.warn("worker {}: cannot read the stored offsets, retrying in {} ms: {}", name, backoff,
                            e.toString());
                    sleep(backoff);
                    backoff = Math.min(5_000, backoff * 2);
                }
            }
        }
    }
}

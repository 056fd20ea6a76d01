package dev.tally.kafka.owned;

import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.ingest.EventStore;
import dev.tally.engine.ingest.StorageUnavailableException;
import dev.tally.engine.objectstore.ObjectStore;
import dev.tally.kafka.EventRecords;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 * A worker of the partition-owned Kafka mode: a member of the consumer group {@value #GROUP} that runs, for each
 * partition it owns, the single-process engine over that partition's own log ({@link OwnedPartition}).
 *
 * <p>Guarantees. Each poll's records of a partition are stored in that partition's log together with the
 * partition's next offset, in one group commit, so the log says exactly how far it got. On assignment a partition
 * is opened from the local directory or, when the published snapshot is further, from that snapshot, and the topic
 * is replayed from the log's offset; a record stored before (a replay overlap, an event re-sent through any API
 * node) is dropped by the partition's dedup index, so every event counts exactly once. Snapshots are published
 * every {@link Settings#snapshotEvery} and when a partition is revoked; a crashed worker's partitions restart from
 * its last snapshot plus replay. Nothing is shared between partitions on the write path: no lock, no sequence, no
 * database row.
 */
public final class PartitionWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionWorker.class);
    public static final String GROUP = "tally-partition-workers";

    /**
     * What a worker needs besides its clients. {@code engine} supplies the PostgreSQL URL, secrets, limits and
     * dedup window of the partition engines (its data directory is not used); partition {@code p} lives in
     * {@code root/<topic>-<p>}.
     */
    public record Settings(String topic, Path root, EngineConfig engine, Duration snapshotEvery, long segmentBytes,
            long dedupMemoryBytes) {
        public static final long DEFAULT_SEGMENT_BYTES = 16L << 20;
        public static final long DEFAULT_DEDUP_MEMORY = 64L << 20;

        public Settings {
            Objects.requireNonNull(topic);
            Objects.requireNonNull(root);
            Objects.requireNonNull(snapshotEvery);
            if (engine.databaseUrl().isEmpty()) {
                throw new IllegalArgumentException("partition workers need the PostgreSQL database of the configuration");
            }
            if (snapshotEvery.isNegative() || snapshotEvery.isZero()) {
                throw new IllegalArgumentException("the snapshot interval must be positive");
            }
        }

        public Settings(String topic, Path root, EngineConfig engine, Duration snapshotEvery) {
            this(topic, root, engine, snapshotEvery, DEFAULT_SEGMENT_BYTES, DEFAULT_DEDUP_MEMORY);
        }
    }

    private final String name;
    private final Settings settings;
    private final Clock clock;
    private final PartitionSnapshots snapshots;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final Map<Integer, OwnedPartition> owned = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private volatile boolean killed;
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();
    private final AtomicLong restoredFromSnapshot = new AtomicLong();
    private final AtomicLong feedNanos = new AtomicLong();
    private volatile int partitionCount;
    private volatile PartitionOwners owners;
    private volatile String address;
    private final Map<Integer, Long> generations = new ConcurrentHashMap<>();
    /** Runs before each partition's run of records is stored (tests: a crash point). */
    volatile Runnable beforeFeed = () -> { };

    public PartitionWorker(Map<String, Object> clientConfig, Settings settings, ObjectStore snapshotStore, Clock clock,
            String name) {
        this.name = name;
        this.settings = settings;
        this.clock = clock;
        this.snapshots = new PartitionSnapshots(snapshotStore, settings.topic());
        this.consumer = new KafkaConsumer<>(consumerConfig(clientConfig, name));
        this.thread = new Thread(this::run, "tally-partition-worker-" + name);
        this.thread.setDaemon(true);
    }

    static Map<String, Object> consumerConfig(Map<String, Object> clientConfig, String name) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "tally-partition-worker-" + name);
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

    /**
     * Before {@link #start}: registers each partition this worker opens in {@code owners} with {@code address}
     * (its {@link OwnerEndpoint}), so API nodes forward that partition's questions here; removed on release.
     */
    public PartitionWorker registerWith(PartitionOwners owners, String address) {
        this.owners = owners;
        this.address = address;
        return this;
    }

    public PartitionWorker start() {
        thread.start();
        return this;
    }

    public String name() {
        return name;
    }

    public String topic() {
        return settings.topic();
    }

    /** The partitions this worker owns now. */
    public Set<Integer> partitions() {
        return new TreeSet<>(owned.keySet());
    }

    /** The engine of an owned partition (empty when this worker does not own it now). */
    public Optional<Engine> engineOf(int partition) {
        return Optional.ofNullable(owned.get(partition)).map(OwnedPartition::engine);
    }

    /**
     * The engine of an owned partition once it has stored every record before {@code offset} (read-your-writes:
     * the caller passes the offset of its acknowledged send, or the end offset it saw); throws
     * {@link NotOwnerException} when the partition is not (or no longer) this worker's and
     * {@link StorageUnavailableException} after {@code timeout}.
     */
    public Engine engineAt(int partition, long offset, Duration timeout) {
        OwnedPartition p = owned.get(partition);
        if (p == null) {
            throw new NotOwnerException(name, partition);
        }
        p.awaitStored(offset, timeout);
        if (owned.get(partition) != p) {
            throw new NotOwnerException(name, partition);
        }
        return p.engine();
    }

    /**
     * Runs billing for {@code tenant}'s customers of the partitions this worker owns, one run per partition, each
     * over its own engine once the partition has stored every record before {@code atLeast}'s offset for it (the
     * topic's end offsets when the caller read them, so every event acknowledged before is billed). Customers of
     * partitions owned elsewhere are left to their owners; the database's invoice uniqueness is the last guard
     * against an overlap during a rebalance. Returns the runs' results by partition.
     */
    public Map<Integer, dev.tally.engine.billing.BillingRunResult> runBilling(String tenant, Map<Integer, Long> atLeast,
            Duration wait) {
        Map<Integer, dev.tally.engine.billing.BillingRunResult> out = new java.util.TreeMap<>();
        int n = partitionCount;
        for (int partition : partitions()) {
            Engine engine = engineAt(partition, atLeast.getOrDefault(partition, 0L), wait);
            out.put(partition, engine.billing().run(tenant, customer -> Partitions.of(tenant, customer, n) == partition));
        }
        return out;
    }

    /** The next offset each owned partition has stored. */
    public Map<Integer, Long> storedOffsets() {
        Map<Integer, Long> out = new HashMap<>();
        owned.forEach((p, op) -> out.put(p, op.nextOffset()));
        return out;
    }

    /** New events stored. */
    public long storedEvents() {
        return stored.get();
    }

    /** Events dropped as stored before (re-sent, or replayed after a move). */
    public long duplicates() {
        return duplicates.get();
    }

    public long malformed() {
        return malformed.get();
    }

    /** Events of the runs a kill abandoned before they were stored. */
    public long abandoned() {
        return abandoned.get();
    }

    /** Partitions this worker opened from a published snapshot. */
    public long restoredFromSnapshots() {
        return restoredFromSnapshot.get();
    }

    /** Time spent storing runs (log append with fsync), summed over partitions. */
    public long feedNanos() {
        return feedNanos.get();
    }

    boolean killed() {
        return killed;
    }

    public boolean isAlive() {
        return thread.isAlive();
    }

    /** Stops cleanly: publishes a snapshot of every owned partition, closes them and leaves the group. */
    public void stop() {
        stopping = true;
        consumer.wakeup();
        join();
    }

    /**
     * Simulates a crash: the run in hand is abandoned, nothing more is published, the partition engines are closed
     * (their local directories stay as a crash leaves them), and the consumer does not leave the group, so its
     * partitions move only when the session times out.
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
                thread.join(60_000);
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
            consumer.subscribe(List.of(settings.topic()), new Listener());
            while (!stopping) {
                try {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                    if (!stopping) {
                        process(records);
                        publishDue();
                    }
                    backoff = 0;
                } catch (WakeupException e) {
                    // stop() or kill(): the loop condition decides
                } catch (RuntimeException e) {
                    if (stopping) {
                        break;
                    }
                    backoff = Math.min(5_000, Math.max(100, backoff * 2));
                    LOG.warn("worker {}: a run failed, retrying from the stored offsets in {} ms: {}", name, backoff,
                            e.toString());
                    sleep(backoff);
                    rewind();
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("worker {} stopped on an unexpected failure", name, e);
        } finally {
            for (OwnedPartition p : List.copyOf(owned.values())) {
                release(p, !killed);
            }
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
            LOG.info("worker {} {}: stored {} events, {} duplicates{}", name, killed ? "killed" : "stopped",
                    stored.get(), duplicates.get(), killed ? ", abandoned a run of " + abandoned.get() : "");
        }
    }

    private void process(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> forLagTools = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            OwnedPartition p = owned.get(tp.partition());
            if (p == null) {
                continue; // revoked during this poll
            }
            List<ConsumerRecord<byte[], byte[]>> run = records.records(tp);
            List<EventStore.Candidate> candidates = new ArrayList<>(run.size());
            for (ConsumerRecord<byte[], byte[]> r : run) {
                try {
                    candidates.add(EventRecords.candidate(r.value()));
                } catch (IllegalArgumentException e) {
                    malformed.incrementAndGet();
                    LOG.warn("worker {}: skipping {}-{}@{}: {}", name, r.topic(), r.partition(), r.offset(),
                            e.getMessage());
                }
            }
            long next = run.get(run.size() - 1).offset() + 1;
            beforeFeed.run();
            if (killed) {
                abandoned.addAndGet(candidates.size());
                throw new StorageUnavailableException("worker " + name + " was killed before storing its run", null);
            }
            long started = System.nanoTime();
            int fresh = p.feed(candidates, next);
            feedNanos.addAndGet(System.nanoTime() - started);
            stored.addAndGet(fresh);
            duplicates.addAndGet(candidates.size() - fresh);
            forLagTools.put(tp, new OffsetAndMetadata(next));
        }
        if (!forLagTools.isEmpty()) {
            consumer.commitAsync(forLagTools, (o, e) -> {
                if (e != null) {
                    LOG.debug("worker {}: committing offsets to Kafka (for lag tools only) failed: {}", name, e.toString());
                }
            });
        }
    }

    private void publishDue() {
        for (OwnedPartition p : owned.values()) {
            if (p.publishDue(settings.snapshotEvery())) {
                try {
                    p.publish(snapshots);
                } catch (RuntimeException e) {
                    LOG.warn("worker {}: publishing a snapshot of partition {} failed (the next round retries): {}",
                            name, p.partition(), e.toString());
                }
            }
        }
    }

    /** After a failed run: back to each partition's stored offset, so nothing polled is skipped. */
    private void rewind() {
        for (TopicPartition tp : consumer.assignment()) {
            OwnedPartition p = owned.get(tp.partition());
            if (p != null) {
                consumer.seek(tp, p.nextOffset());
            }
        }
    }

    private void release(OwnedPartition p, boolean publish) {
        owned.remove(p.partition(), p);
        Long generation = generations.remove(p.partition());
        if (publish && generation != null) {
            try {
                owners.release(p.partition(), name, generation);
            } catch (RuntimeException e) {
                LOG.warn("worker {}: cannot remove its ownership of partition {} (the next owner replaces it): {}",
                        name, p.partition(), e.toString());
            }
        }
        try {
            if (publish) {
                p.publish(snapshots);
            }
        } catch (RuntimeException e) {
            LOG.warn("worker {}: publishing partition {} on release failed; its next owner replays more", name,
                    p.partition(), e);
        } finally {
            p.close();
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
            if (!partitions.isEmpty()) {
                partitionCount = consumer.partitionsFor(settings.topic()).size();
            }
            // opened in parallel (an engine open is mostly waiting: database, files), then registered in order
            long started = System.nanoTime();
            Map<TopicPartition, java.util.concurrent.CompletableFuture<OwnedPartition>> opening = new java.util.LinkedHashMap<>();
            for (TopicPartition tp : partitions) {
                opening.put(tp, java.util.concurrent.CompletableFuture.supplyAsync(() -> openRetrying(tp.partition()),
                        Thread::startVirtualThread));
            }
            for (Map.Entry<TopicPartition, java.util.concurrent.CompletableFuture<OwnedPartition>> e : opening.entrySet()) {
                TopicPartition tp = e.getKey();
                OwnedPartition p;
                try {
                    p = e.getValue().join();
                } catch (java.util.concurrent.CompletionException failed) {
                    // stopping: close what the other openings produce, so no engine keeps its directory locked
                    opening.forEach((other, f) -> {
                        if (!owned.containsKey(other.partition())) {
                            f.thenAccept(OwnedPartition::close);
                        }
                    });
                    throw failed.getCause() instanceof RuntimeException re ? re : failed;
                }
                owned.put(tp.partition(), p);
                claimRetrying(tp.partition());
                consumer.seek(tp, p.nextOffset());
                if (p.fromSnapshot()) {
                    restoredFromSnapshot.incrementAndGet();
                }
                LOG.info("worker {} opened partition {} at offset {} ({}) in {} ms", name, tp.partition(),
                        p.nextOffset(), p.fromSnapshot() ? "from the published snapshot" : "from the local directory",
                        (System.nanoTime() - started) / 1_000_000);
            }
        }

        private OwnedPartition openRetrying(int partition) {
            long backoff = 100;
            Path dir = settings.root().resolve(settings.topic() + "-" + partition);
            while (true) {
                try {
                    return OwnedPartition.open(partition, dir, settings, clock, snapshots);
                } catch (RuntimeException e) {
                    if (stopping) {
                        throw e;
                    }
                    LOG.warn("worker {}: cannot open partition {}, retrying in {} ms: {}", name, partition, backoff,
                            e.toString());
                    sleep(backoff);
                    backoff = Math.min(5_000, backoff * 2);
                }
            }
        }

        private void claimRetrying(int partition) {
            if (owners == null) {
                return;
            }
            long backoff = 100;
            while (!stopping) {
                try {
                    generations.put(partition, owners.claim(partition, name, address));
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("worker {}: cannot register as the owner of partition {}, retrying in {} ms: {}", name,
                            partition, backoff, e.toString());
                    sleep(backoff);
                    backoff = Math.min(5_000, backoff * 2);
                }
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            forget(partitions, !killed);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // another worker may own them already: publish nothing (its snapshots are ahead, or will be)
            forget(partitions, false);
        }

        private void forget(Collection<TopicPartition> partitions, boolean publish) {
            for (TopicPartition tp : partitions) {
                OwnedPartition p = owned.get(tp.partition());
                if (p != null) {
                    release(p, publish);
                }
            }
        }
    }
}

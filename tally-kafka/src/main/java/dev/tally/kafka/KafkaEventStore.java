package dev.tally.kafka;

import dev.tally.engine.ingest.EventStore;
import dev.tally.engine.ingest.PostgresEventStore;
import dev.tally.engine.ingest.StorageUnavailableException;
import dev.tally.engine.log.RecordVisitor;
import dev.tally.engine.store.Database;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * The event store of an API node in the Kafka mode: new events go to the topic, everything already stored is
 * read from PostgreSQL, where the workers put it.
 *
 * <ul>
 * <li>{@link #appendNew} sends each event with key tenant + NUL + subject (one customer, one partition, in
 * order) through an idempotent producer with {@code acks=all}, waits until Kafka has acknowledged every one,
 * and answers {@link #QUEUED} for each: the event is durably accepted; whether it repeats an earlier one is
 * decided exactly by the worker's insert (PostgreSQL's unique index), so a re-sent event is answered
 * "accepted" again but counted once. A failed send throws {@link StorageUnavailableException}: nothing is
 * acknowledged, the client retries, and if part of the batch did reach Kafka the worker drops the repeat.</li>
 * <li>{@link #appendRecord} (cancels) writes straight to PostgreSQL: a cancel names an event the workers have
 * already stored ({@link #positionOf} waits for them first), and it is rare.</li>
 * <li>{@link #awaitAcknowledged} reads the topic's end offsets and waits until the workers' stored offsets
 * ({@code kafka_offsets}) reach them in every partition, so a query on any node sees every event any node
 * acknowledged before it. Without running workers it fails after the timeout (a 503), rather than answer
 * with figures that miss acknowledged events.</li>
 * <li>Everything else (reads, scans, tailing what the workers stored) is the {@link PostgresEventStore}'s.</li>
 * </ul>
 */
public final class KafkaEventStore implements EventStore {
    static final Duration DEFAULT_AWAIT = Duration.ofSeconds(10);
    private static final long PARTITIONS_TTL_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final EventSender sender;
    private final String topic;
    private final Database db;
    private final PostgresEventStore pg;
    private final Admin admin;
    private final Duration awaitTimeout;
    private volatile List<TopicPartition> partitions = List.of();
    private volatile long partitionsReadAt;
    private final Object offsetsLock = new Object();
    private Map<Integer, Long> storedSnapshot = Map.of();
    private long storedReadStartedAt;
    private boolean haveSnapshot;

    /**
     * @param clientConfig Kafka client settings: at least {@code bootstrap.servers}; security settings and
     *            producer tuning may be added. {@code acks=all}, idempotence and the serializers are always
     *            set here.
     * @param topic the events topic (see {@link KafkaTopics#ensure})
     * @param db the PostgreSQL database the workers store into (the engine's own)
     */
    public KafkaEventStore(Map<String, Object> clientConfig, String topic, Database db) {
        this(clientConfig, topic, db, DEFAULT_AWAIT);
    }

    public KafkaEventStore(Map<String, Object> clientConfig, String topic, Database db, Duration awaitTimeout) {
        if (!db.isPostgres()) {
            throw new IllegalArgumentException("the Kafka mode stores events in PostgreSQL; set a database URL");
        }
        this.topic = topic;
        this.db = db;
        this.pg = new PostgresEventStore(db);
        this.awaitTimeout = awaitTimeout;
        this.admin = Admin.create(KafkaTopics.adminConfig(clientConfig));
        this.sender = new EventSender(clientConfig, topic);
    }

    /** A store factory for {@code Engine.open(config, clock, factory)}. */
    public static Function<Database, EventStore> factory(Map<String, Object> clientConfig, String topic) {
        return factory(clientConfig, topic, DEFAULT_AWAIT);
    }

    /** As above, waiting up to {@code awaitTimeout} for the workers before a query gives up (503). */
    public static Function<Database, EventStore> factory(Map<String, Object> clientConfig, String topic,
            Duration awaitTimeout) {
        return db -> new KafkaEventStore(clientConfig, topic, db, awaitTimeout);
    }

    public String topic() {
        return topic;
    }

    @Override
    public Appended appendNew(List<Candidate> candidates) {
        long[] positions = new long[candidates.size()];
        java.util.Arrays.fill(positions, QUEUED);
        sender.send(candidates);
        return new Appended(positions, List.of());
    }

    @Override
    public Appended appendRecord(byte[] record) {
        return pg.appendRecord(record);
    }

    @Override
    public List<Stored> poll() {
        return pg.poll();
    }

    @Override
    public boolean shared() {
        return true;
    }

    /** The stored event of this identity; when the workers have not stored it yet, waits for them first. */
    @Override
    public Optional<Long> positionOf(byte[] tenant, byte[] source, byte[] id) {
        Optional<Long> found = pg.positionOf(tenant, source, id);
        if (found.isPresent()) {
            return found;
        }
        awaitAcknowledged();
        return pg.positionOf(tenant, source, id);
    }

    @Override
    public byte[] read(long position) {
        return pg.read(position);
    }

    @Override
    public void scan(long from, RecordVisitor visitor) {
        pg.scan(from, visitor);
    }

    /**
     * Waits until the workers have stored, in every partition, everything Kafka had acknowledged when this call
     * began (polling {@code kafka_offsets} every 20 ms; concurrent callers share each read). Throws
     * {@link StorageUnavailableException} after the timeout.
     */
    @Override
    public void awaitAcknowledged() {
        long started = System.nanoTime();
        Map<TopicPartition, Long> ends = endOffsets();
        long deadline = started + awaitTimeout.toNanos();
        while (true) {
            Map<Integer, Long> stored = storedReadAfter(System.nanoTime());
            TopicPartition behind = null;
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                if (stored.getOrDefault(e.getKey().partition(), 0L) < e.getValue()) {
                    behind = e.getKey();
                    break;
                }
            }
            if (behind == null) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new StorageUnavailableException("the Kafka workers have not stored the events acknowledged "
                        + "before this request within " + awaitTimeout.toMillis() + " ms (partition " + behind
                        + " is at " + stored.getOrDefault(behind.partition(), 0L) + " of " + ends.get(behind)
                        + "); are workers running?", null);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageUnavailableException("interrupted while waiting for the Kafka workers", e);
            }
        }
    }

    /** A read of kafka_offsets that began at or after {@code notBefore} (shared by concurrent waiters). */
    private Map<Integer, Long> storedReadAfter(long notBefore) {
        synchronized (offsetsLock) {
            if (haveSnapshot && storedReadStartedAt - notBefore >= 0) {
                return storedSnapshot;
            }
            long started = System.nanoTime();
            try {
                storedSnapshot = StoredOffsets.read(db, topic);
            } catch (RuntimeException e) {
                throw new StorageUnavailableException("the event database is unavailable", e);
            }
            storedReadStartedAt = started;
            haveSnapshot = true;
            return storedSnapshot;
        }
    }

    /** The topic's end offsets now (the high watermark: what Kafka has acknowledged). */
    Map<TopicPartition, Long> endOffsets() {
        try {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (TopicPartition tp : partitions()) {
                request.put(tp, OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> infos =
                    admin.listOffsets(request).all().get(awaitTimeout.toMillis(), TimeUnit.MILLISECONDS);
            Map<TopicPartition, Long> out = new HashMap<>();
            infos.forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        } catch (ExecutionException | java.util.concurrent.TimeoutException | KafkaException e) {
            partitionsReadAt = 0;
            throw new StorageUnavailableException("cannot read the end offsets of topic " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageUnavailableException("interrupted while reading Kafka's end offsets", e);
        }
    }

    private List<TopicPartition> partitions() throws ExecutionException, InterruptedException,
            java.util.concurrent.TimeoutException {
        long now = System.nanoTime();
        if (partitions.isEmpty() || now - partitionsReadAt > PARTITIONS_TTL_NANOS) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(awaitTimeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            partitions = d.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            partitionsReadAt = now;
        }
        return partitions;
    }

    @Override
    public void seeEverything() {
        pg.seeEverything();
    }

    @Override
    public long start() {
        return pg.start();
    }

    @Override
    public long endPosition() {
        return pg.endPosition();
    }

    @Override
    public long sizeBytes() {
        return pg.sizeBytes();
    }

    @Override
    public boolean healthy() {
        return pg.healthy();
    }

    @Override
    public void remember(Candidate candidate, long position) {
        pg.remember(candidate, position);
    }

    @Override
    public long rememberedIds() {
        return pg.rememberedIds();
    }

    @Override
    public long indexBytes() {
        return pg.indexBytes();
    }

    @Override
    public void writeIndex(DataOutput out) throws IOException {
        pg.writeIndex(out);
    }

    @Override
    public void readIndex(DataInput in) throws IOException {
        pg.readIndex(in);
    }

    @Override
    public void close() {
        sender.close();
        admin.close(Duration.ofSeconds(5));
        pg.close();
    }
}

package dev.tally.kafka.owned;

import dev.tally.engine.ingest.EventStore;
import dev.tally.engine.log.RecordVisitor;
import dev.tally.engine.log.SegmentLog;
import dev.tally.kafka.EventSender;
import java.io.DataInput;
import java.io.DataOutput;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The event store of an API node in the partition-owned Kafka mode: it holds no events. New events go to the topic
 * ({@link EventSender}: acknowledged by Kafka before the request answers, {@link #QUEUED} for each; the partition's
 * owner decides repeats exactly); the engine over it keeps configuration in sync with PostgreSQL (it is a "shared"
 * store) and has no aggregates: usage and entitlement questions go to the owners ({@link OwnerRouter}). Cancels
 * are refused (not supported in this mode yet).
 */
public final class ApiNodeStore implements EventStore {
    private final EventSender sender;

    public ApiNodeStore(Map<String, Object> clientConfig, String topic) {
        this.sender = new EventSender(clientConfig, topic);
    }

    /** A store factory for {@code Engine.open(config, clock, factory)}. */
    public static Function<dev.tally.engine.store.Database, EventStore> factory(Map<String, Object> clientConfig,
            String topic) {
        return db -> new ApiNodeStore(clientConfig, topic);
    }

    @Override
    public Appended appendNew(List<Candidate> candidates) {
        long[] positions = new long[candidates.size()];
        Arrays.fill(positions, QUEUED);
        sender.send(candidates);
        return new Appended(positions, List.of());
    }

    @Override
    public Appended appendRecord(byte[] record) {
        throw new IllegalStateException("cancels are not supported in the partition-owned Kafka mode yet");
    }

    @Override
    public List<Stored> poll() {
        return List.of();
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public Optional<Long> positionOf(byte[] tenant, byte[] source, byte[] id) {
        return Optional.empty();
    }

    @Override
    public byte[] read(long position) {
        throw new IllegalStateException("an API node of the partition-owned mode stores no events");
    }

    @Override
    public void scan(long from, RecordVisitor visitor) {
        // no events here
    }

    @Override
    public long start() {
        return SegmentLog.START;
    }

    @Override
    public long endPosition() {
        return SegmentLog.START;
    }

    @Override
    public long sizeBytes() {
        return 0;
    }

    @Override
    public boolean healthy() {
        return true;
    }

    @Override
    public void remember(Candidate candidate, long position) {
    }

    @Override
    public long rememberedIds() {
        return 0;
    }

    @Override
    public long indexBytes() {
        return 0;
    }

    @Override
    public void writeIndex(DataOutput out) {
    }

    @Override
    public void readIndex(DataInput in) {
    }

    @Override
    public void close() {
        sender.close();
    }
}

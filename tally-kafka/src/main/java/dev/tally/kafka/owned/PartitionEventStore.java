package dev.tally.kafka.owned;

import dev.tally.engine.ingest.EventStore;
import dev.tally.engine.ingest.IndexImage;
import dev.tally.engine.ingest.LocalEventStore;
import dev.tally.engine.log.DedupIndex;
import dev.tally.engine.log.LogPosition;
import dev.tally.engine.log.RecordVisitor;
import dev.tally.engine.log.SegmentLog;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The event store of one partition's engine: the embedded {@link LocalEventStore} (segment log plus dedup index) in
 * the partition's directory, fed by the worker from the topic rather than by the engine's own ingest.
 *
 * <ul>
 * <li>{@link #feed} stores the new events of a run of Kafka records and the partition's next offset in one group
 * commit; the engine then applies them through {@link #poll} (it is a "shared" store to the engine: records arrive
 * from elsewhere), exactly as a PostgreSQL engine applies what other processes stored.</li>
 * <li>{@link #nextOffset} is the offset in the last progress record of the log: where the topic replay starts.</li>
 * <li>Scans skip the progress records and stop at what the engine has applied, so a meter rebuild never counts a
 * record that {@link #poll} will hand over again.</li>
 * </ul>
 * Single feeder (the worker's thread); the engine reads on its own threads.
 */
final class PartitionEventStore implements EventStore {
    private final LocalEventStore local;
    private final SegmentLog log;
    private final int partition;
    /** Positions below it were stored before this store opened (the engine's recovery remembers them). */
    private final long openedEnd;
    private volatile long nextOffset;
    private final Object feedLock = new Object();
    private final ArrayDeque<Fed> fed = new ArrayDeque<>();
    private long seenEnd;

    private record Fed(List<Stored> stored, long end) {
    }

    private PartitionEventStore(SegmentLog log, DedupIndex index, int partition, Clock clock) {
        this.log = log;
        this.local = new LocalEventStore(log, index, clock);
        this.partition = partition;
        this.openedEnd = log.endPosition();
        this.seenEnd = openedEnd;
        this.nextOffset = lastMarker(log).orElse(0L);
    }

    static PartitionEventStore open(Path dir, int partition, long segmentBytes, Duration dedupWindow,
            long dedupMemoryBytes, Clock clock) {
        SegmentLog log = SegmentLog.open(dir.resolve("log"), segmentBytes);
        try {
            return new PartitionEventStore(log, new DedupIndex(dir.resolve("dedup"), dedupWindow, dedupMemoryBytes,
                    clock), partition, clock);
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /** The offset of the last progress record: from the start of the last segment, else from the start. */
    private Optional<Long> lastMarker(SegmentLog log) {
        LogPosition end = LogPosition.of(log.endPosition());
        long from = new LogPosition(end.segment(), 0).encoded();
        Optional<Long> found = lastMarkerFrom(log, from);
        return found.isPresent() || from == SegmentLog.START ? found : lastMarkerFrom(log, SegmentLog.START);
    }

    private Optional<Long> lastMarkerFrom(SegmentLog log, long from) {
        long[] last = {-1};
        log.scan(from, (position, bytes) -> {
            if (OffsetMarker.is(bytes)) {
                if (OffsetMarker.partition(bytes) != partition) {
                    throw new IllegalStateException("the log in " + log.directory() + " belongs to partition "
                            + OffsetMarker.partition(bytes) + ", not " + partition);
                }
                last[0] = OffsetMarker.nextOffset(bytes);
            }
            return true;
        });
        return last[0] < 0 ? Optional.empty() : Optional.of(last[0]);
    }

    int partition() {
        return partition;
    }

    /** The next topic offset this partition's log has not stored (0 for a new partition). */
    long nextOffset() {
        return nextOffset;
    }

    Path logDirectory() {
        return log.directory();
    }

    /**
     * Stores the events among {@code candidates} not stored before (repeats within the run dropped too) together
     * with {@code next}, the offset after the run, in one durable write; returns how many were new. Throws
     * {@link dev.tally.engine.ingest.StorageUnavailableException} when the write fails (then nothing of it is stored).
     */
    int feed(List<Candidate> candidates, long next) {
        if (next < nextOffset) {
            throw new IllegalArgumentException("partition " + partition + " is at offset " + nextOffset
                    + "; it cannot go back to " + next);
        }
        List<Candidate> unique = new ArrayList<>(candidates.size());
        Set<String> identities = new HashSet<>();
        for (Candidate c : candidates) {
            if (identities.add(identity(c))) {
                unique.add(c);
            }
        }
        Appended a = local.appendNew(unique, OffsetMarker.encode(partition, next));
        List<Stored> stored = new ArrayList<>();
        for (int i = 0; i < unique.size(); i++) {
            if (a.positions()[i] >= 0) {
                stored.add(new Stored(a.positions()[i], unique.get(i).record()));
            }
        }
        synchronized (feedLock) {
            fed.add(new Fed(stored, log.endPosition()));
        }
        nextOffset = next;
        return stored.size();
    }

    private static String identity(Candidate c) {
        return new String(c.tenant(), StandardCharsets.UTF_8) + '\0' + new String(c.source(), StandardCharsets.UTF_8)
                + '\0' + new String(c.id(), StandardCharsets.UTF_8);
    }

    @Override
    public Appended appendNew(List<Candidate> candidates) {
        throw new IllegalStateException("a partition store is fed from the topic; events are ingested by API nodes");
    }

    @Override
    public Appended appendRecord(byte[] record) {
        throw new IllegalStateException("cancels are not supported in the partition-owned Kafka mode yet");
    }

    @Override
    public List<Stored> poll() {
        synchronized (feedLock) {
            if (fed.isEmpty()) {
                return List.of();
            }
            List<Stored> out = new ArrayList<>();
            for (Fed f : fed) {
                out.addAll(f.stored());
                seenEnd = f.end();
            }
            fed.clear();
            return out;
        }
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public Optional<Long> positionOf(byte[] tenant, byte[] source, byte[] id) {
        return local.positionOf(tenant, source, id).filter(p -> p < endPosition());
    }

    @Override
    public byte[] read(long position) {
        return local.read(position);
    }

    @Override
    public void scan(long from, RecordVisitor visitor) {
        long end = endPosition();
        local.scan(from, (position, bytes) -> {
            if (position >= end) {
                return false;
            }
            return OffsetMarker.is(bytes) || visitor.visit(position, bytes);
        });
    }

    @Override
    public long start() {
        return local.start();
    }

    /** Where what the engine has applied ends (records fed but not yet polled lie beyond it). */
    @Override
    public long endPosition() {
        synchronized (feedLock) {
            return seenEnd;
        }
    }

    @Override
    public long sizeBytes() {
        return local.sizeBytes();
    }

    @Override
    public boolean healthy() {
        return local.healthy();
    }

    @Override
    public void remember(Candidate candidate, long position) {
        if (position < openedEnd) {
            local.remember(candidate, position);
        }
    }

    /** Recovery's replay remembers the identities stored before; fed events were remembered when stored. */
    @Override
    public void remember(Candidate candidate, long position, java.time.Instant receivedAt) {
        if (position < openedEnd) {
            local.remember(candidate, position, receivedAt);
        }
    }

    @Override
    public Optional<DedupIndex.Stats> dedupStats() {
        return local.dedupStats();
    }

    @Override
    public void maintainIndex() {
        local.maintainIndex();
    }

    @Override
    public void indexCheckpointed() {
        local.indexCheckpointed();
    }

    @Override
    public void writeIndexChanges(DataOutput out, long sincePosition) throws IOException {
        local.writeIndexChanges(out, sincePosition);
    }

    @Override
    public IndexImage newIndexImage() {
        return local.newIndexImage();
    }

    @Override
    public void restoreIndex(IndexImage image) throws IOException {
        local.restoreIndex(image);
    }

    @Override
    public void discardIndex() {
        local.discardIndex();
    }

    @Override
    public long rememberedIds() {
        return local.rememberedIds();
    }

    @Override
    public long indexBytes() {
        return local.indexBytes();
    }

    @Override
    public void writeIndex(DataOutput out) throws IOException {
        local.writeIndex(out);
    }

    @Override
    public void readIndex(DataInput in) throws IOException {
        local.readIndex(in);
    }

    @Override
    public void close() {
        local.close();
    }
}

package dev.tally.engine.ingest;

import dev.tally.engine.log.DedupIndex;
import dev.tally.engine.log.FingerprintIndex;
import dev.tally.engine.log.LogWriteException;
import dev.tally.engine.log.RecordVisitor;
import dev.tally.engine.log.SegmentLog;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The embedded store: the segment log plus a {@link DedupIndex} of every identity stored within the dedup
 * window (memory, then memory-mapped slices on disk). A fingerprint match is confirmed by reading the stored
 * record, so the duplicate decision is exact; an identity enters the index only after its record was fsynced,
 * and is kept for the window after the later of its event time and its arrival. Single writer.
 */
public final class LocalEventStore implements EventStore {
    private final SegmentLog log;
    private final DedupIndex index;
    private final java.time.Clock clock;
    private final Optional<dev.tally.engine.archive.LogArchive> archive;

    public LocalEventStore(SegmentLog log, DedupIndex index, java.time.Clock clock) {
        this(log, index, clock, Optional.empty());
    }

    /** A store whose closed segments {@code archive} compresses and archives (the log was opened with it). */
    public LocalEventStore(SegmentLog log, DedupIndex index, java.time.Clock clock,
            Optional<dev.tally.engine.archive.LogArchive> archive) {
        this.log = log;
        this.index = index;
        this.clock = clock;
        this.archive = archive;
        archive.ifPresent(a -> a.attach(log));
    }

    /** When an identity's window starts: the later of its event time and its arrival, rounded up to a second. */
    private static long retainFrom(java.time.Instant eventTime, java.time.Instant receivedAt) {
        return Math.max(eventTime.getEpochSecond(), receivedAt.getEpochSecond()) + 1;
    }

    @Override
    public Appended appendNew(List<Candidate> candidates) {
        return appendNew(candidates, null);
    }

    /**
     * As {@link #appendNew(List)}, with {@code trailer} appended after the new events in the same group commit
     * (one write, one fsync: the events and the trailer are durable together or not at all). A feeder records its
     * progress this way (the Kafka partition store: the next topic offset, atomic with the events it covers). The
     * trailer is a record of the log like any other, so whoever scans the log must recognise and skip it.
     */
    public Appended appendNew(List<Candidate> candidates, byte[] trailer) {
        long[] positions = new long[candidates.size()];
        List<byte[]> records = new ArrayList<>(candidates.size());
        for (int i = 0; i < positions.length; i++) {
            Candidate c = candidates.get(i);
            positions[i] = index.anyMatch(c.fingerprint(), p -> LogRecord.hasKey(log.read(p), c.tenant(), c.source(), c.id()))
                    ? -1 : 0;
            if (positions[i] == 0) {
                records.add(c.record());
            }
        }
        if (trailer != null) {
            records.add(trailer);
        }
        long[] written = append(records);
        java.time.Instant now = clock.instant();
        for (int i = 0, w = 0; i < positions.length; i++) {
            if (positions[i] == 0) {
                positions[i] = written[w++];
                Candidate c = candidates.get(i);
                index.put(c.fingerprint(), positions[i], retainFrom(c.time(), now));
            }
        }
        return new Appended(positions, List.of());
    }

    private long[] append(List<byte[]> records) {
        if (records.isEmpty()) {
            return new long[0];
        }
        try {
            return log.append(records);
        } catch (LogWriteException e) {
            throw new StorageUnavailableException("the event log is unavailable", e);
        }
    }

    @Override
    public Appended appendRecord(byte[] record) {
        return new Appended(append(List.of(record)), List.of());
    }

    @Override
    public List<Stored> poll() {
        return List.of();
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public Optional<Long> positionOf(byte[] tenant, byte[] source, byte[] id) {
        long[] found = {-1};
        index.anyMatch(FingerprintIndex.fingerprint(tenant, source, id), p -> {
            byte[] bytes = log.read(p);
            if (bytes[0] == LogRecord.EVENT && LogRecord.hasKey(bytes, tenant, source, id)) {
                found[0] = p;
                return true;
            }
            return false;
        });
        return found[0] < 0 ? Optional.empty() : Optional.of(found[0]);
    }

    @Override
    public byte[] read(long position) {
        return log.read(position);
    }

    @Override
    public void scan(long from, RecordVisitor visitor) {
        log.scan(from, visitor);
    }

    @Override
    public long start() {
        return SegmentLog.START;
    }

    @Override
    public long firstPositionFrom(java.time.Instant from) {
        return archive.map(a -> a.firstPositionFrom(from)).orElse(SegmentLog.START);
    }

    @Override
    public long endPosition() {
        return log.endPosition();
    }

    @Override
    public long sizeBytes() {
        return log.sizeBytes();
    }

    @Override
    public boolean healthy() {
        return log.healthy();
    }

    @Override
    public void remember(Candidate candidate, long position) {
        remember(candidate, position, clock.instant());
    }

    @Override
    public void remember(Candidate candidate, long position, java.time.Instant receivedAt) {
        index.put(candidate.fingerprint(), position, retainFrom(candidate.time(), receivedAt));
    }

    @Override
    public long rememberedIds() {
        DedupIndex.Stats s = index.stats();
        return s.memoryIds() + s.diskIds();
    }

    @Override
    public long indexBytes() {
        DedupIndex.Stats s = index.stats();
        return s.memoryHeapBytes() + s.diskHeapBytes();
    }

    @Override
    public Optional<DedupIndex.Stats> dedupStats() {
        return Optional.of(index.stats());
    }

    @Override
    public void maintainIndex() {
        index.maintain();
    }

    @Override
    public void writeIndex(DataOutput out) throws IOException {
        index.writeTo(out);
    }

    @Override
    public void readIndex(DataInput in) throws IOException {
        index.readFrom(in);
    }

    @Override
    public void writeIndexChanges(DataOutput out, long sincePosition) throws IOException {
        try {
            index.writeChangesTo(out, sincePosition);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public IndexImage newIndexImage() {
        return new DedupIndexImage();
    }

    @Override
    public void restoreIndex(IndexImage image) throws IOException {
        index.restore(((DedupIndexImage) image).image);
    }

    /** The local index's image: a {@link dev.tally.engine.log.DedupImage}. */
    private static final class DedupIndexImage implements IndexImage {
        dev.tally.engine.log.DedupImage image;

        @Override
        public void readFull(DataInput in) throws IOException {
            image = dev.tally.engine.log.DedupImage.read(in);
        }

        @Override
        public void applyChanges(DataInput in) throws IOException {
            image.applyChanges(in);
        }

        @Override
        public void writeFull(DataOutput out) throws IOException {
            image.writeTo(out);
        }
    }

    @Override
    public void indexCheckpointed() {
        index.checkpointed();
    }

    @Override
    public void discardIndex() {
        index.reset();
    }

    @Override
    public void close() {
        index.close();
        log.close();
        archive.ifPresent(dev.tally.engine.archive.LogArchive::close);
    }
}

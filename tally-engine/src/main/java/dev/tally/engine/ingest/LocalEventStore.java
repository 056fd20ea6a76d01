package dev.tally.engine.ingest;

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
 * The embedded store: the segment log plus an in-memory fingerprint index of
 * every stored identity. A fingerprint match is confirmed by reading the
 * stored record, so the duplicate decision is exact; an identity enters the
 * index only after its record was fsynced. Single writer.
 */
public final class LocalEventStore implements EventStore {
    private final SegmentLog log;
    private FingerprintIndex index = new FingerprintIndex();

    public LocalEventStore(SegmentLog log) {
        this.log = log;
    }

    @Override
    public Appended appendNew(List<Candidate> candidates) {
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
        long[] written = append(records);
        for (int i = 0, w = 0; i < positions.length; i++) {
            if (positions[i] == 0) {
                positions[i] = written[w++];
                index.put(candidates.get(i).fingerprint(), positions[i]);
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
        index.put(candidate.fingerprint(), position);
    }

    @Override
    public long rememberedIds() {
        return index.size();
    }

    @Override
    public long indexBytes() {
        return index.memoryBytes();
    }

    @Override
    public void writeIndex(DataOutput out) throws IOException {
        index.writeTo(out);
    }

    @Override
    public void readIndex(DataInput in) throws IOException {
        index = FingerprintIndex.readFrom(in);
    }

    @Override
    public void close() {
        log.close();
    }
}

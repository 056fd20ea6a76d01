package dev.tally.engine.ingest;

import dev.tally.engine.log.RecordVisitor;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where raw events (and corrections) are stored durably, in order, each at a
 * position, with the exact duplicate decision. Two implementations: the
 * embedded segment log with its in-memory index (one process), and
 * PostgreSQL, where the unique constraint decides and several processes share
 * the store (each then also receives the records the others stored).
 */
public interface EventStore extends AutoCloseable {

    /** One event to store unless its identity (tenant, source, id) was stored before. */
    record Candidate(byte[] tenant, byte[] source, byte[] id, long fingerprint, byte[] record, String subject,
            java.time.Instant time) {
    }

    /** A record some position holds. */
    record Stored(long position, byte[] record) {
    }

    /** An append's answer for an event that is durably queued and will be stored (and deduplicated) later. */
    long QUEUED = -2;

    /**
     * What an append did: each candidate's new position, -1 when it is a duplicate, or {@link #QUEUED}; and the records other
     * processes stored since this process last looked, in order, all before this append's own records.
     */
    record Appended(long[] positions, List<Stored> others) {
    }

    /**
     * Stores every new candidate in one durable write and decides duplicates exactly. All or nothing: throws
     * {@link StorageUnavailableException} when the write fails, and then nothing of it counts as stored.
     */
    Appended appendNew(List<Candidate> candidates);

    /**
     * Stores a correction record; its position, or -1 when a correction of the same event was stored before
     * (by another process: the store decides, and the other's record comes back among the others).
     */
    Appended appendRecord(byte[] record);

    /** The records other processes stored since this process last looked (none for a local store). */
    List<Stored> poll();

    /** Whether other processes write to the same store (so {@link #poll} can return records). */
    boolean shared();

    /** The position of a stored event of this identity. */
    Optional<Long> positionOf(byte[] tenant, byte[] source, byte[] id);

    byte[] read(long position);

    /** Visits records from {@code from} (inclusive) in order; stops when the visitor returns false. */
    void scan(long from, RecordVisitor visitor);

    /**
     * Waits until everything acknowledged so far by any process is stored where {@link #poll} finds it (a
     * queued store waits for its workers); a no-op for stores that acknowledge only what they stored.
     */
    default void awaitAcknowledged() {
    }

    /**
     * Before recovery: lets the next scan reach everything stored so far (a shared store otherwise shows a
     * process only what it has already seen).
     */
    default void seeEverything() {
    }

    /** The position of the first record. */
    long start();

    /**
     * Where a scan for events with event time at or after {@code from} may start (records before it are all older);
     * {@link #start()} unless the store knows its segments' time ranges (the embedded log's closed segments).
     */
    default long firstPositionFrom(java.time.Instant from) {
        return start();
    }

    /** Where the next record would go (everything before it has been seen by this process). */
    long endPosition();

    long sizeBytes();

    boolean healthy();

    /** Remembers a stored event's identity found while replaying (the local index). */
    void remember(Candidate candidate, long position);

    /** Remembers a stored event's identity found while replaying, with the time it arrived (starts its window). */
    default void remember(Candidate candidate, long position, java.time.Instant receivedAt) {
        remember(candidate, position);
    }

    /** The local duplicate index's tiers (empty for stores where the database decides). */
    default Optional<dev.tally.engine.log.DedupIndex.Stats> dedupStats() {
        return Optional.empty();
    }

    /** Releases identities past the dedup window (a no-op where the database decides). */
    default void maintainIndex() {
    }

    /** Told after a checkpoint holding {@link #writeIndex} was made durable (the local index drops old files). */
    default void indexCheckpointed() {
    }

    /**
     * Writes what changed in the local index since the last durable checkpoint (told by {@link #indexCheckpointed}),
     * whose log position was {@code sincePosition}. Stores whose {@link #writeIndex} writes nothing keep this
     * default (nothing either); {@link #newIndexImage} reads it back.
     */
    default void writeIndexChanges(DataOutput out, long sincePosition) throws IOException {
        writeIndex(out);
    }

    /** An empty image of this store's checkpointed index (see {@link IndexImage}); pure data, any thread. */
    default IndexImage newIndexImage() {
        return IndexImage.none();
    }

    /** Installs an image built from a chain of checkpoints as the live index (instead of {@link #readIndex}). */
    default void restoreIndex(IndexImage image) throws IOException {
    }

    /** Forgets the local index before the whole log is replayed (no usable checkpoint). */
    default void discardIndex() {
    }

    long rememberedIds();

    long indexBytes();

    void writeIndex(DataOutput out) throws IOException;

    void readIndex(DataInput in) throws IOException;

    @Override
    void close();
}

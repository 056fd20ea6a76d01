package dev.tally.kafka.owned;

import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.ingest.EventStore;
import dev.tally.engine.ingest.StorageUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition a worker owns: the single-process engine over the partition's {@link PartitionEventStore} in a
 * directory of its own, with configuration (tenants, meters, plans, ...) from PostgreSQL. Opened from the local
 * directory when it is at least as far as the latest published snapshot, else from that snapshot (the directory is
 * replaced); the caller then replays the topic from {@link #nextOffset}.
 */
final class OwnedPartition implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OwnedPartition.class);
    private final int partition;
    private final Path dir;
    private final Engine engine;
    private final PartitionEventStore store;
    private final Object progress = new Object();
    private long publishedOffset = -1;
    private long publishedAt;
    /** Where the partition started when this owner opened it, and whether it came from a snapshot. */
    private final long openedAt;
    private final boolean fromSnapshot;

    private OwnedPartition(int partition, Path dir, Engine engine, PartitionEventStore store, boolean fromSnapshot) {
        this.partition = partition;
        this.dir = dir;
        this.engine = engine;
        this.store = store;
        this.openedAt = store.nextOffset();
        this.fromSnapshot = fromSnapshot;
        this.publishedAt = System.nanoTime();
    }

    static OwnedPartition open(int partition, Path dir, PartitionWorker.Settings s, Clock clock,
            PartitionSnapshots snapshots) {
        Optional<PartitionSnapshots.Latest> latest = snapshots.latest(partition);
        if (Files.isDirectory(dir.resolve("log"))) {
            OwnedPartition local = openEngine(partition, dir, s, clock, false);
            if (latest.isEmpty() || latest.get().offset() <= local.nextOffset()) {
                return local;
            }
            LOG.info("partition {}: the published snapshot (offset {}) is ahead of the local copy ({}); restoring it",
                    partition, latest.get().offset(), local.nextOffset());
            local.close();
        }
        wipe(dir);
        if (latest.isEmpty()) {
            return openEngine(partition, dir, s, clock, false);
        }
        snapshots.restore(latest.get(), dir.resolve("log"));
        return openEngine(partition, dir, s, clock, true);
    }

    private static OwnedPartition openEngine(int partition, Path dir, PartitionWorker.Settings s, Clock clock,
            boolean fromSnapshot) {
        EngineConfig base = s.engine();
        EngineConfig config = new EngineConfig(dir, base.limits(), Optional.empty(), s.segmentBytes(), Duration.ZERO,
                base.databaseUrl(), base.webhooks(), base.secrets(), base.dedup(), base.archive());
        Duration window = base.dedup().windowFor(base.limits().backdatingWindow(), base.limits().futureTolerance());
        PartitionEventStore[] store = new PartitionEventStore[1];
        Engine engine = Engine.open(config, clock, db -> {
            store[0] = PartitionEventStore.open(dir, partition, s.segmentBytes(), window, s.dedupMemoryBytes(), clock);
            return (EventStore) store[0];
        });
        return new OwnedPartition(partition, dir, engine, store[0], fromSnapshot);
    }

    private static void wipe(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
    }

    int partition() {
        return partition;
    }

    Engine engine() {
        return engine;
    }

    long nextOffset() {
        return store.nextOffset();
    }

    long openedAt() {
        return openedAt;
    }

    boolean fromSnapshot() {
        return fromSnapshot;
    }

    /** Stores a run of the partition's records (see {@link PartitionEventStore#feed}); returns the new ones. */
    int feed(List<EventStore.Candidate> candidates, long next) {
        int n = store.feed(candidates, next);
        synchronized (progress) {
            progress.notifyAll();
        }
        return n;
    }

    /**
     * Waits until the partition has stored every record before {@code offset}; the engine applies them on its next
     * query (a query syncs first). Throws {@link StorageUnavailableException} after the timeout.
     */
    void awaitStored(long offset, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (store.nextOffset() < offset) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new StorageUnavailableException("partition " + partition + " has stored up to offset "
                            + store.nextOffset() + ", not yet " + offset, null);
                }
                try {
                    progress.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StorageUnavailableException("interrupted", e);
                }
            }
        }
    }

    /** Publishes a snapshot unless nothing was stored since the last one; call from the feeding thread. */
    void publish(PartitionSnapshots snapshots) {
        long offset = store.nextOffset();
        if (offset != publishedOffset && offset > 0) {
            snapshots.publish(partition, store.logDirectory(), offset);
            publishedOffset = offset;
        }
        publishedAt = System.nanoTime();
    }

    /** Whether {@code every} has passed since the last publication. */
    boolean publishDue(Duration every) {
        return System.nanoTime() - publishedAt >= every.toNanos();
    }

    @Override
    public void close() {
        engine.close();
    }

    Path directory() {
        return dir;
    }
}

package dev.tally.engine.checkpoint;

import dev.tally.engine.ingest.Checkpoints;
import dev.tally.engine.ingest.EventStore;
import dev.tally.engine.ingest.IndexImage;
import dev.tally.engine.secrets.PrivateFiles;
import dev.tally.engine.usage.UsageStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incremental checkpoints of the derived state (duplicate index and usage store) in {@code DATA_DIR/checkpoint}.
 *
 * <p><b>Cost.</b> The first checkpoint, and the first after a meter changed, is a full base. Every later one is a
 * delta holding only what changed since the previous one: the customers' hours that changed (their new positions
 * and states), the cancels, and of the duplicate index the memory tier's pairs put since plus the list of slice
 * files (already durable files of their own). So the bytes a checkpoint writes grow with the changes, not with the
 * state. Once the chain holds {@link CheckpointSettings#compactAfterDeltas} deltas, or the deltas outgrow half the
 * base, a background thread merges base and deltas, read from their files, into a new base; the writer never
 * waits for it (except before a full base or at close).
 *
 * <p><b>Durability.</b> Every file (base, delta, manifest) is written to a temporary file, fsynced, renamed and
 * the directory fsynced, and carries a CRC32C. The manifest names the chain and is the commit point: files it
 * does not name (a torn delta, a compacted base not yet installed, the files a compaction replaced) are deleted
 * at start. A named delta that fails its checksum ends the chain there and the log replay covers the rest; a
 * damaged base or manifest, or a chain taken under other meter definitions, is ignored and the whole log replayed.
 *
 * <p><b>Upgrade.</b> A data directory with only a format-2 {@code checkpoint.bin} is loaded from it; the first
 * checkpoint then writes a base and deletes the old file.
 *
 * <p><b>Threads.</b> {@link #load} and {@link #write} run on one thread (the ingest writer, or before it starts);
 * {@link #stats} from any.
 */
public final class CheckpointStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);

    private final Path dataDir;
    private final Path dir;
    private final CheckpointSettings settings;
    private final Clock clock;
    private final ExecutorService compactor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tally-checkpoint-compact");
        t.setDaemon(true);
        return t;
    });

    // guarded by this (the writer and the compaction thread both install manifests)
    private Manifest manifest;
    private long chainPosition;
    private Map<String, Long> chainGenerations = Map.of();
    private long nextSeq = 1;
    private long manifestBytes;
    private long compactions;
    private long lastCompactionMillis;
    /** Writer thread only. */
    private CompletableFuture<Void> compaction = CompletableFuture.completedFuture(null);
    /** Told each step after which a crash leaves a distinct set of files (crash tests copy the directory there). */
    private volatile java.util.function.Consumer<String> crashPoint = step -> { };
    private volatile long lastDurationMillis;
    private volatile long lastBytesWritten;
    private volatile boolean lastWasFull;

    /** What a loaded checkpoint restored: the store state as of {@code logPosition}; replay the log from there. */
    public record Loaded(long logPosition, UsageStore usage) {
        public Loaded {
            Objects.requireNonNull(usage, "usage");
        }
    }

    public CheckpointStore(Path dataDir, CheckpointSettings settings, Clock clock) {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        this.dir = dataDir.resolve("checkpoint");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Loads the chain if it is usable and was taken under these meter generations (else a format-2 checkpoint if
     * that is all there is); otherwise empty, and the store's duplicate index is discarded with its disk tier: the
     * whole log will be replayed. Files the chain does not name are deleted.
     */
    public Optional<Loaded> load(Map<String, Long> generations, EventStore store) {
        try {
            PrivateFiles.directory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the checkpoint directory " + dir, e);
        }
        Path manifestFile = dir.resolve(Manifest.FILE);
        if (Files.exists(manifestFile)) {
            Optional<Loaded> loaded = loadChain(manifestFile, generations, store);
            if (loaded.isPresent()) {
                deleteLegacy();
                return loaded;
            }
            deleteUnnamed(Set.of());
            store.discardIndex(); // the whole log is replayed: it re-adds every identity in the window
            return Optional.empty();
        }
        deleteUnnamed(Set.of());
        // format 2 (or nothing): that loader discards the index itself when it cannot use the file
        return new Checkpoints(dataDir).load(generations, store, clock)
                .map(l -> new Loaded(l.logPosition(), l.usage()));
    }

    private Optional<Loaded> loadChain(Path manifestFile, Map<String, Long> generations, EventStore store) {
        Manifest m;
        try {
            m = Manifest.read(manifestFile);
        } catch (IOException e) {
            LOG.warn("ignoring a damaged checkpoint manifest ({}); replaying the whole log", e.toString());
            return Optional.empty();
        }
        IndexImage image = store.newIndexImage();
        UsageStore usage = new UsageStore(clock);
        ChainReader.Read read;
        try {
            read = ChainReader.read(dir, m, generations, image, usage, true);
            store.restoreIndex(image);
        } catch (ChainReader.MetersChangedException e) {
            LOG.info("ignoring the checkpoint: meters changed since it was taken; replaying the whole log");
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring a damaged checkpoint ({}); replaying the whole log", e.toString());
            return Optional.empty();
        }
        usage.finishLoading();
        Manifest used = new Manifest(m.base(), m.deltas().subList(0, read.deltasApplied()));
        long maxSeq = m.base().seq();
        for (Manifest.Link d : m.deltas()) {
            maxSeq = Math.max(maxSeq, d.seq());
        }
        synchronized (this) {
            try {
                manifestBytes = used.equals(m) ? Files.size(manifestFile)
                        : CheckpointFile.writeBytes(dir, Manifest.FILE, used.encode());
            } catch (IOException e) {
                LOG.warn("cannot rewrite the checkpoint manifest; the next checkpoint is a full one", e);
                return Optional.of(new Loaded(read.position(), usage));
            }
            manifest = used;
            chainPosition = read.position();
            chainGenerations = read.generations();
            nextSeq = maxSeq + 1;
        }
        deleteUnnamed(new HashSet<>(used.fileNames()));
        LOG.info("loaded the checkpoint chain: a base and {} deltas, to log position {}", read.deltasApplied(),
                read.position());
        return Optional.of(new Loaded(read.position(), usage));
    }

    /**
     * Writes a checkpoint at {@code logPosition}: a delta if the chain allows, else a full base. Runs on the writer
     * thread with no concurrent mutation of the store or the usage. On failure nothing is installed and the next
     * checkpoint again covers everything since the last durable one.
     *
     * @return whether it was a full base
     */
    public boolean write(long logPosition, Map<String, Long> generations, EventStore store, UsageStore usage)
            throws IOException {
        long started = System.nanoTime();
        store.maintainIndex(); // release what left the dedup window before writing the rest
        Manifest current;
        long since;
        boolean full;
        synchronized (this) {
            current = manifest;
            since = chainPosition;
            full = current == null || !chainGenerations.equals(Map.copyOf(generations)) || usage.needsFullCheckpoint();
        }
        if (full) {
            awaitCompaction(); // it reads files this base replaces
        }
        long seq;
        synchronized (this) {
            seq = nextSeq++;
        }
        Manifest next;
        long bytes;
        try {
            if (full) {
                bytes = CheckpointFile.write(dir, Manifest.baseName(seq),
                        new CheckpointFile.Header(CheckpointFile.BASE, seq, logPosition, generations), out -> {
                            store.writeIndex(out);
                            usage.writeTo(out);
                        });
                next = new Manifest(new Manifest.Link(seq, bytes), List.of());
            } else {
                bytes = CheckpointFile.write(dir, Manifest.deltaName(seq),
                        new CheckpointFile.Header(CheckpointFile.DELTA, seq, logPosition, generations), out -> {
                            store.writeIndexChanges(out, since);
                            usage.writeChangesTo(out);
                        });
                next = current.plus(new Manifest.Link(seq, bytes));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        crashPoint.accept(full ? "base-written" : "delta-written");
        synchronized (this) {
            if (!full) { // a compaction may have installed a new base meanwhile: keep it, append to it
                next = manifest.plus(next.last());
            }
            manifestBytes = CheckpointFile.writeBytes(dir, Manifest.FILE, next.encode());
            manifest = next;
            chainPosition = logPosition;
            chainGenerations = Map.copyOf(generations);
        }
        usage.checkpointed(full);
        store.indexCheckpointed();
        if (full) {
            deleteUnnamed(new HashSet<>(next.fileNames()));
            deleteLegacy();
        }
        lastBytesWritten = bytes + manifestBytes;
        lastWasFull = full;
        lastDurationMillis = (System.nanoTime() - started) / 1_000_000;
        LOG.debug("checkpoint {} ({}): {} bytes in {} ms", seq, full ? "base" : "delta", bytes, lastDurationMillis);
        maybeCompact(store);
        return full;
    }

    private void maybeCompact(EventStore store) {
        Manifest m;
        synchronized (this) {
            m = manifest;
        }
        if (!compaction.isDone() || m.deltas().isEmpty()
                || (m.deltas().size() < settings.compactAfterDeltas() && m.deltaBytes() * 2 <= m.base().bytes())) {
            return;
        }
        IndexImage image = store.newIndexImage();
        compaction = CompletableFuture.runAsync(() -> compact(m, image), compactor);
    }

    /** Merges a chain into a new base named after its last delta and installs it (compaction thread). */
    private void compact(Manifest m, IndexImage image) {
        long started = System.nanoTime();
        long seq = m.last().seq();
        Path file = dir.resolve(Manifest.baseName(seq));
        try {
            UsageStore usage = UsageStore.forCompaction(clock);
            ChainReader.Read read = ChainReader.read(dir, m, null, image, usage, false);
            long bytes = CheckpointFile.write(dir, Manifest.baseName(seq),
                    new CheckpointFile.Header(CheckpointFile.BASE, seq, read.position(), read.generations()), out -> {
                        image.writeFull(out);
                        usage.writeTo(out);
                    });
            crashPoint.accept("compacted-base-written");
            synchronized (this) {
                if (manifest == null || !manifest.base().equals(m.base())
                        || manifest.deltas().size() < m.deltas().size()) {
                    Files.deleteIfExists(file); // the chain was replaced meanwhile
                    return;
                }
                Manifest next = new Manifest(new Manifest.Link(seq, bytes),
                        manifest.deltas().subList(m.deltas().size(), manifest.deltas().size()));
                manifestBytes = CheckpointFile.writeBytes(dir, Manifest.FILE, next.encode());
                manifest = next;
                compactions++;
                lastCompactionMillis = (System.nanoTime() - started) / 1_000_000;
            }
            crashPoint.accept("compaction-installed");
            for (String name : m.fileNames()) {
                if (!name.equals(Manifest.FILE)) {
                    Files.deleteIfExists(dir.resolve(name));
                }
            }
            LOG.info("compacted a checkpoint base and {} deltas into base {} ({} bytes) in {} ms", m.deltas().size(),
                    seq, bytes, (System.nanoTime() - started) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            LOG.warn("checkpoint compaction failed; the chain stays as it is", e);
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // deleted at the next start
            }
        }
    }

    /** Crash tests: called with the name of each step after which a crash leaves a distinct set of files. */
    void crashPoints(java.util.function.Consumer<String> hook) {
        crashPoint = Objects.requireNonNull(hook, "hook");
    }

    /** Waits for a compaction in flight (tests, a full base, close). */
    public void awaitCompaction() {
        compaction.join();
    }

    /** What the checkpoints cost. */
    public synchronized CheckpointStats stats() {
        long total = manifest == null ? 0 : manifest.base().bytes() + manifest.deltaBytes() + manifestBytes;
        return new CheckpointStats(lastDurationMillis, lastBytesWritten, lastWasFull, total,
                manifest == null ? 0 : manifest.deltas().size(), compactions, lastCompactionMillis);
    }

    private void deleteUnnamed(Set<String> keep) {
        try (DirectoryStream<Path> all = Files.newDirectoryStream(dir)) {
            for (Path p : all) {
                if (!keep.contains(p.getFileName().toString())) {
                    Files.deleteIfExists(p);
                }
            }
            CheckpointFile.syncDirectory(dir);
        } catch (IOException e) {
            LOG.warn("cannot clean the checkpoint directory {}", dir, e);
        }
    }

    private void deleteLegacy() {
        try {
            Files.deleteIfExists(dataDir.resolve("checkpoint.bin"));
            Files.deleteIfExists(dataDir.resolve("checkpoint.bin.tmp"));
        } catch (IOException e) {
            LOG.warn("cannot delete the format-2 checkpoint", e);
        }
    }

    /** Finishes a compaction in flight and stops its thread. */
    @Override
    public void close() {
        try {
            awaitCompaction();
        } catch (RuntimeException e) {
            LOG.warn("checkpoint compaction failed at close", e);
        }
        compactor.shutdown();
    }
}

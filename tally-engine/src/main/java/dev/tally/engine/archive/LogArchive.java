package dev.tally.engine.archive;

import dev.tally.engine.log.LogPosition;
import dev.tally.engine.log.SealedFile;
import dev.tally.engine.log.SealedSegments;
import dev.tally.engine.log.SegmentBytes;
import dev.tally.engine.log.SegmentLog;
import dev.tally.engine.objectstore.ObjectInfo;
import dev.tally.engine.objectstore.ObjectStore;
import dev.tally.engine.objectstore.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The closed segments of an embedded log kept compressed on local disk or archived to an {@link ObjectStore}, read
 * back transparently: it is the log's {@link SealedSegments}, so {@link SegmentLog#read}, {@link SegmentLog#scan}
 * and the duplicate index's verification work on every segment, wherever it is.
 *
 * <p><b>Guarantees.</b> Compressing writes {@code segment-N.zlog.tmp}, fsyncs it, renames it atomically to {@code
 * segment-N.zlog}, fsyncs the directory, moves readers to it and only then deletes {@code segment-N.log}. Archiving
 * uploads the compressed file under a key naming the segment and its SHA-256 (skipped when the store already holds
 * that key with that checksum, so a re-run after a crash never makes a second object), verifies the stored object's
 * checksum and size, records it in the {@link Manifest} durably, moves readers to the archived copy and only then
 * deletes the local file. {@link #open} finishes whatever a crash interrupted: a temp file is deleted (its plain
 * segment is still there), a plain file whose compressed copy is complete is deleted, a local copy of a segment the
 * manifest names is deleted. Nothing is lost at any point; at worst work is repeated.
 *
 * <p>Which segments may leave local disk is decided by the caller ({@link Archiver} with {@link RetentionHorizon}).
 */
public final class LogArchive implements SealedSegments, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogArchive.class);
    private static final Pattern COMPRESSED = Pattern.compile("segment-(\\d{10})\\.zlog");

    /** What the log holds where: bytes and segments local (plain, compressed) and archived, the oldest local record. */
    public record Stats(long localBytes, long archivedBytes, int plainSegments, int compressedSegments,
            int archivedSegments, long archivedReads, Optional<Instant> oldestLocalRecord) {
    }

    private final Path dir;
    private final ArchiveSettings settings;
    private final RecordTimes times;
    private final Manifest manifest;
    private final ArchiveCache cache;
    private final ConcurrentSkipListMap<Integer, CompressedSegment.Meta> local = new ConcurrentSkipListMap<>();
    private volatile SegmentLog log;
    private volatile Consumer<String> crashHook = point -> { };

    private LogArchive(Path dir, ArchiveSettings settings, RecordTimes times, Manifest manifest, ArchiveCache cache) {
        this.dir = dir;
        this.settings = settings;
        this.times = times;
        this.manifest = manifest;
        this.cache = cache;
    }

    /**
     * Opens the compressed and archived segments of the log in {@code logDir} and finishes what a crash
     * interrupted; pass the result to {@link SegmentLog#open(Path, long, SealedSegments)}, then {@link #attach}.
     */
    public static LogArchive open(Path logDir, ArchiveSettings settings, RecordTimes times) {
        Objects.requireNonNull(settings);
        Objects.requireNonNull(times);
        Path dir = logDir.toAbsolutePath();
        try {
            dev.tally.engine.secrets.PrivateFiles.directory(dir);
            Manifest manifest = Manifest.load(dir);
            LogArchive a = new LogArchive(dir, settings, times, manifest,
                    new ArchiveCache(dir.resolve("archive-cache"), settings.target(), settings.cacheSegments()));
            a.recover();
            return a;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the log archive in " + logDir, e);
        }
    }

    private void recover() throws IOException {
        boolean changed = false;
        try (DirectoryStream<Path> tmps = Files.newDirectoryStream(dir, "segment-*.zlog.tmp")) {
            for (Path tmp : tmps) { // a crash before the rename: the plain segment is still there
                Files.delete(tmp);
                changed = true;
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "segment-*.zlog")) {
            for (Path p : files) {
                Matcher m = COMPRESSED.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                int n = Integer.parseInt(m.group(1));
                if (manifest.get(n) != null) { // archived and recorded: the local copy was about to go
                    Files.delete(p);
                    changed = true;
                    continue;
                }
                CompressedSegment.Meta meta = CompressedSegment.metaOf(p); // renamed only when complete
                local.put(n, meta);
                changed |= Files.deleteIfExists(plainPath(n)); // compressed before a crash, plain not yet deleted
            }
        }
        for (int n : manifest.entries().keySet()) {
            changed |= Files.deleteIfExists(plainPath(n));
        }
        if (changed) {
            LocalFiles.fsyncDirectory(dir);
            LOG.info("log archive in {}: finished work a previous run left (see docs/OPERATIONS.md)", dir);
        }
    }

    /** Tells the archive the log it serves (opened with this archive as its sealed segments). */
    public void attach(SegmentLog segmentLog) {
        this.log = Objects.requireNonNull(segmentLog);
    }

    /** Test seam: called at each named step of compressing and archiving; a hook that throws simulates a crash. */
    void crashHook(Consumer<String> hook) {
        this.crashHook = hook;
    }

    private Path plainPath(int n) {
        return dir.resolve(String.format("segment-%010d.log", n));
    }

    private Path compressedPath(int n) {
        return dir.resolve(String.format("segment-%010d.zlog", n));
    }

    @Override
    public NavigableMap<Integer, Long> sizes() {
        NavigableMap<Integer, Long> out = new TreeMap<>();
        local.forEach((n, m) -> out.put(n, m.size()));
        manifest.entries().forEach((n, e) -> out.put(n, e.size()));
        return out;
    }

    @Override
    public SegmentBytes open(int number) throws IOException {
        ArchivedSegment e = manifest.get(number);
        if (e != null) {
            return cache.bytes(e);
        }
        if (local.containsKey(number)) {
            return CompressedSegment.open(compressedPath(number));
        }
        throw new IOException("segment " + number + " is neither compressed nor archived in " + dir);
    }

    /** Whether segments may leave local disk (a target is configured). */
    public boolean hasTarget() {
        return settings.target().isPresent();
    }

    /** Compresses every closed segment still stored plain, oldest first; returns how many it compressed. */
    public int compressClosed() {
        SegmentLog l = attached();
        if (!settings.compress()) {
            return 0;
        }
        int done = 0;
        for (SealedFile f : l.plainSealedSegments()) {
            compress(l, f);
            done++;
        }
        return done;
    }

    private void compress(SegmentLog l, SealedFile f) {
        Path tmp = dir.resolve(compressedPath(f.number()).getFileName() + ".tmp");
        try {
            CompressedSegment.Meta meta = CompressedSegment.write(f.path(), f.number(), f.size(), tmp, times);
            crashHook.accept("compressed");
            Files.move(tmp, compressedPath(f.number()), StandardCopyOption.ATOMIC_MOVE);
            LocalFiles.fsyncDirectory(dir);
            local.put(f.number(), meta);
            crashHook.accept("renamed");
            l.reopenSealed(f.number());
            Files.delete(f.path());
            LocalFiles.fsyncDirectory(dir);
            LOG.debug("compressed segment {}: {} -> {} bytes, {} records", f.number(), f.size(), meta.fileBytes(),
                    meta.records());
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the next open deletes it
            }
            throw new UncheckedIOException("cannot compress segment " + f.number() + " of " + dir, e);
        }
    }

    /**
     * The compressed local segments whose every record is older than {@code horizon} (epoch seconds strictly
     * below), oldest first, stopping at the first that is not: segments leave in log order.
     */
    public List<Integer> olderThan(Instant horizon) {
        List<Integer> out = new ArrayList<>();
        SegmentLog l = attached();
        int firstPlain = l.plainSealedSegments().stream().mapToInt(SealedFile::number).min().orElse(Integer.MAX_VALUE);
        for (Map.Entry<Integer, CompressedSegment.Meta> e : local.entrySet()) {
            if (e.getKey() > firstPlain || e.getValue().latest() >= horizon.getEpochSecond()) {
                break;
            }
            out.add(e.getKey());
        }
        return out;
    }

    /** The latest record time of a compressed local segment. */
    public Instant latestOf(int segment) {
        CompressedSegment.Meta m = local.get(segment);
        if (m == null) {
            throw new IllegalArgumentException("segment " + segment + " is not compressed locally");
        }
        return Instant.ofEpochSecond(m.latest());
    }

    /**
     * Uploads a compressed local segment, verifies it, records it and deletes the local copy; reads of it go to the
     * archive from then on. Idempotent: a segment already uploaded with the same checksum is not uploaded again.
     *
     * @throws IllegalStateException without a target
     */
    public void archive(int segment) {
        ObjectStore store = settings.target().orElseThrow(() -> new IllegalStateException("no archive target"));
        CompressedSegment.Meta meta = local.get(segment);
        if (meta == null) {
            throw new IllegalArgumentException("segment " + segment + " is not compressed locally");
        }
        Path file = compressedPath(segment);
        try {
            String sha = Sha256.of(file);
            long bytes = Files.size(file);
            String key = ArchivedSegment.keyOf(segment, sha);
            Optional<ObjectInfo> there = store.head(key);
            if (there.isEmpty() || !there.get().sha256().equals(sha) || there.get().size() != bytes) {
                store.put(key, file);
            }
            crashHook.accept("uploaded");
            ObjectInfo stored = store.head(key).orElseThrow(() -> new IOException("object " + key + " vanished"));
            if (!stored.sha256().equals(sha) || stored.size() != bytes) {
                throw new IOException("object " + key + " in " + store.describe() + " does not match the local copy");
            }
            manifest.add(new ArchivedSegment(segment, meta.size(), bytes, sha, key, store.describe(), meta.records(),
                    meta.earliest(), meta.latest()));
            crashHook.accept("recorded");
            local.remove(segment);
            attached().reopenSealed(segment);
            Files.delete(file);
            LocalFiles.fsyncDirectory(dir);
            LOG.info("archived log segment {} ({} bytes) to {} as {}", segment, bytes, store.describe(), key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot archive segment " + segment + " of " + dir, e);
        }
    }

    /**
     * Where a scan for events with time at or after {@code from} may start: the first segment that may hold one
     * (segments whose every record is older are skipped; plain segments, whose times are not known, never are).
     */
    public long firstPositionFrom(Instant from) {
        long at = from.getEpochSecond();
        NavigableMap<Integer, Long> known = new TreeMap<>();
        manifest.entries().forEach((n, e) -> known.put(n, e.latest()));
        local.forEach((n, m) -> known.put(n, m.latest()));
        int expected = 1;
        int first = 1;
        for (Map.Entry<Integer, Long> e : known.entrySet()) {
            if (e.getKey() != expected || e.getValue() >= at) {
                break;
            }
            expected++;
            first = expected;
        }
        return first <= 1 ? SegmentLog.START : new LogPosition(first, 0).encoded();
    }

    /** What is where, now. */
    public Stats stats() {
        SegmentLog l = attached();
        List<SealedFile> plain = l.plainSealedSegments();
        long compressedBytes = local.values().stream().mapToLong(CompressedSegment.Meta::fileBytes).sum();
        long plainBytes = plain.stream().mapToLong(SealedFile::size).sum();
        long active = LogPosition.of(l.endPosition()).offset();
        NavigableMap<Integer, ArchivedSegment> archived = manifest.entries();
        long archivedBytes = archived.values().stream().mapToLong(ArchivedSegment::bytes).sum();
        Optional<Instant> oldest = Optional.empty();
        int lowestPlain = plain.isEmpty() ? Integer.MAX_VALUE : plain.get(0).number();
        if (!local.isEmpty() && local.firstKey() < lowestPlain) {
            oldest = Optional.of(Instant.ofEpochSecond(local.firstEntry().getValue().earliest()));
        } else {
            int lowest = plain.isEmpty() ? LogPosition.of(l.endPosition()).segment() : lowestPlain;
            long first = new LogPosition(lowest, 0).encoded();
            if (first < l.endPosition()) {
                oldest = Optional.of(Instant.ofEpochSecond(times.latestEpochSecond(l.read(first))));
            }
        }
        return new Stats(plainBytes + compressedBytes + active, archivedBytes, plain.size() + 1, local.size(),
                archived.size(), cache.fetches(), oldest);
    }

    private SegmentLog attached() {
        SegmentLog l = log;
        if (l == null) {
            throw new IllegalStateException("the archive is not attached to its log");
        }
        return l;
    }

    /** Closes the cache of fetched segments (the log closes the segments it reads). */
    @Override
    public void close() {
        cache.close();
    }
}

package dev.tally.engine.positions;

import dev.tally.engine.log.LogPosition;
import dev.tally.engine.log.RecordVisitor;
import dev.tally.engine.usage.SealedPositions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-segment position index of the embedded log (see the package description). Guarantees: every event of
 * every segment below {@link #boundary()} is in a verified index file; a file that is missing, unreadable or fails
 * its checksum is rebuilt from its segment before the boundary passes it; files are written atomically, so a crash
 * leaves either the whole old state or the whole new file; a segment that cannot be read (archived, and no archive
 * configured) stops the boundary before it, and its positions stay in heap. {@link #indexSealed} runs on one thread at a time
 * (any thread: it only reads the log); readers run concurrently with it.
 */
public final class SegmentPositions implements SealedPositions {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentPositions.class);

    /** The log as the index reads it. */
    public interface Segments {
        /** The number of the segment being appended to (every lower one is sealed and never changes). */
        int active();

        /** The number of the first segment. */
        int first();

        /** Visits records from {@code from} in log order until the visitor returns false (through the archive). */
        void scan(long from, RecordVisitor visitor);
    }

    /** What the index holds: files, their bytes, the events in them, and files rebuilt since start. */
    public record Stats(int files, long bytes, long events, long rebuilt) {
    }

    private final Path dir;
    private final Segments log;
    private final EventKeys keys;
    /** Loaded files, contiguous from the log's first segment, oldest first (replaced as a whole). */
    private volatile PositionFile.Mapped[] files = new PositionFile.Mapped[0];
    private volatile long rebuilt;

    private SegmentPositions(Path dir, Segments log, EventKeys keys) {
        this.dir = dir;
        this.log = log;
        this.keys = keys;
    }

    /** An index kept in {@code dir} (created if absent) for {@code log}; nothing is read until {@link #indexSealed}. */
    public static SegmentPositions open(Path dir, Segments log, EventKeys keys) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the position index directory " + dir, e);
        }
        return new SegmentPositions(dir.toAbsolutePath(), log, keys);
    }

    /**
     * Loads (or builds, when missing or damaged) the index file of every sealed segment not loaded yet, oldest
     * first, and moves the boundary past them. Returns the number of files built from their segments.
     *
     * @throws UncheckedIOException if a file cannot be written (the boundary stays before that segment)
     */
    public synchronized int indexSealed() {
        PositionFile.Mapped[] current = files;
        int next = current.length == 0 ? Math.max(1, log.first()) : current[current.length - 1].segment + 1;
        int active = log.active();
        List<PositionFile.Mapped> added = new ArrayList<>();
        int built = 0;
        try {
            for (int segment = next; segment < active; segment++) {
                Path file = dir.resolve(PositionFile.fileName(segment));
                Optional<PositionFile.Mapped> loaded = Optional.empty();
                if (Files.exists(file)) {
                    try {
                        loaded = Optional.of(PositionFile.Mapped.open(file, segment));
                    } catch (IOException e) {
                        LOG.warn("position index {} is unusable ({}); rebuilding it from its segment", file,
                                e.getMessage());
                    }
                }
                if (loaded.isEmpty()) {
                    try {
                        build(segment, file);
                    } catch (RuntimeException e) { // e.g. archived with no archive configured: stays in heap
                        LOG.warn("cannot read segment {} to index its positions; they stay in heap: {}", segment,
                                e.toString());
                        break;
                    }
                    built++;
                    loaded = Optional.of(PositionFile.Mapped.open(file, segment));
                }
                added.add(loaded.get());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the position index in " + dir, e);
        } finally {
            if (!added.isEmpty()) {
                PositionFile.Mapped[] grown = Arrays.copyOf(current, current.length + added.size());
                for (int i = 0; i < added.size(); i++) {
                    grown[current.length + i] = added.get(i);
                }
                files = grown;
            }
            rebuilt += built;
        }
        return built;
    }

    private void build(int segment, Path file) throws IOException {
        PositionFile.Builder builder = new PositionFile.Builder(segment);
        long start = (long) segment << LogPosition.OFFSET_BITS;
        log.scan(start, (position, payload) -> {
            if (LogPosition.of(position).segment() != segment) {
                return false;
            }
            keys.of(payload).ifPresent(k -> builder.add(k.tenant(), k.customer(), k.hour(), position));
            return true;
        });
        long bytes = builder.writeTo(file);
        LOG.debug("built position index {} ({} bytes)", file, bytes);
    }

    @Override
    public long boundary() {
        PositionFile.Mapped[] current = files;
        return current.length == 0 ? 0 : (long) (current[current.length - 1].segment + 1) << LogPosition.OFFSET_BITS;
    }

    @Override
    public List<long[]> positions(String tenant, String customer, long fromHour, long toHour, long cursorHour,
            long cursorPosition, int limit, long below) {
        byte[] key = PositionFile.key(tenant, customer);
        List<long[]> out = new ArrayList<>();
        int sources = 0;
        for (PositionFile.Mapped f : files) {
            if ((long) (f.segment + 1) << LogPosition.OFFSET_BITS > below) {
                break;
            }
            if (!f.overlaps(Math.max(fromHour, cursorHour), toHour)) {
                continue;
            }
            int before = out.size();
            f.positions(key, fromHour, toHour, cursorHour, cursorPosition, limit, out);
            sources += out.size() > before ? 1 : 0;
        }
        if (sources > 1) {
            out.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        }
        return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
    }

    /** What the index holds now. */
    public Stats stats() {
        long bytes = 0;
        long events = 0;
        PositionFile.Mapped[] current = files;
        for (PositionFile.Mapped f : current) {
            bytes += f.bytes;
            events += f.events;
        }
        return new Stats(current.length, bytes, events, rebuilt);
    }

    /** The directory holding the files. */
    public Path directory() {
        return dir;
    }
}

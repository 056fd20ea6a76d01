package dev.tally.engine.archive;

import dev.tally.engine.log.SegmentBytes;
import dev.tally.engine.objectstore.ObjectStore;
import dev.tally.engine.objectstore.ObjectStoreException;
import dev.tally.engine.objectstore.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Archived segments fetched back for reading, kept in {@code archive-cache/} beside the log: at most
 * {@code capacity} segments, least recently used evicted. A fetched object is verified against the manifest's
 * SHA-256 before it is used. Without a configured store a read fails with a message naming the segment and where it
 * was archived.
 */
final class ArchiveCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveCache.class);
    private final Path dir;
    private final Optional<ObjectStore> store;
    private final int capacity;
    private final LinkedHashMap<Integer, CompressedSegment> open = new LinkedHashMap<>(16, 0.75f, true); // guarded
    private long fetches; // guarded by this

    ArchiveCache(Path dir, Optional<ObjectStore> store, int capacity) throws IOException {
        this.dir = dir;
        this.store = store;
        this.capacity = capacity;
        dev.tally.engine.secrets.PrivateFiles.directory(dir);
        try (var files = Files.list(dir)) { // a previous run's copies are not trusted without their open handles
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The segment's bytes, reading them from the archive on first use; evicted copies are fetched again. */
    SegmentBytes bytes(ArchivedSegment e) {
        return new SegmentBytes() {
            @Override
            public void readFully(ByteBuffer dst, long position) throws IOException {
                int start = dst.position();
                for (int attempt = 0; ; attempt++) {
                    try {
                        open(e).readFully(dst, position);
                        return;
                    } catch (ClosedChannelException evicted) {
                        if (attempt >= 3) {
                            throw evicted;
                        }
                        dst.position(start);
                    }
                }
            }

            @Override
            public void close() {
                // the cache owns the fetched copies
            }
        };
    }

    synchronized long fetches() {
        return fetches;
    }

    private synchronized CompressedSegment open(ArchivedSegment e) throws IOException {
        CompressedSegment c = open.get(e.segment());
        if (c != null) {
            return c;
        }
        if (store.isEmpty()) {
            throw new IOException("segment " + e.segment() + " is archived at " + e.location() + " (object "
                    + e.key() + ") and no archive store is configured to read it back");
        }
        Path target = dir.resolve(String.format("segment-%010d.zlog", e.segment()));
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        try {
            if (store.get().get(e.key(), tmp).isEmpty()) {
                throw new IOException("segment " + e.segment() + " is missing from the archive " + e.location()
                        + " (object " + e.key() + ")");
            }
        } catch (ObjectStoreException ex) {
            throw new IOException("cannot fetch segment " + e.segment() + " from " + e.location(), ex);
        }
        if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(tmp, dev.tally.engine.secrets.PrivateFiles.FILE); // events are private
        }
        if (!Sha256.of(tmp).equals(e.sha256())) {
            Files.deleteIfExists(tmp);
            throw new IOException("segment " + e.segment() + " fetched from " + e.location()
                    + " does not match the manifest's checksum");
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        c = CompressedSegment.open(target);
        fetches++;
        open.put(e.segment(), c);
        evict();
        return c;
    }

    private void evict() {
        Iterator<Map.Entry<Integer, CompressedSegment>> it = open.entrySet().iterator();
        while (open.size() > capacity && it.hasNext()) {
            Map.Entry<Integer, CompressedSegment> eldest = it.next();
            it.remove();
            try {
                eldest.getValue().close();
                Files.deleteIfExists(dir.resolve(String.format("segment-%010d.zlog", eldest.getKey())));
            } catch (IOException ex) {
                LOG.debug("cannot drop the cached copy of segment {}", eldest.getKey(), ex);
            }
        }
    }

    @Override
    public synchronized void close() {
        for (CompressedSegment c : open.values()) {
            try {
                c.close();
            } catch (IOException ex) {
                LOG.debug("ignoring failure to close a cached segment", ex);
            }
        }
        open.clear();
    }
}

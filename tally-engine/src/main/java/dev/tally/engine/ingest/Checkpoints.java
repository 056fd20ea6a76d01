package dev.tally.engine.ingest;

import dev.tally.engine.usage.UsageStore;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The format-2 checkpoint ({@code checkpoint.bin}) of the version before incremental checkpoints: read once on
 * upgrade by {@link dev.tally.engine.checkpoint.CheckpointStore} when a data directory has no chain yet, which
 * then replaces it; its writer is kept so that upgrade tests write a real format-2 file.
 *
 * <p>Checkpoints of the derived state (dedup index and usage store) so a restart
 * replays only the log written after the last one. A checkpoint records the
 * log position it covers and each tenant's meter generation; it is written to
 * a temporary file, fsynced and renamed, and carries a CRC32C. One that is
 * missing, damaged, or taken under other meter definitions is ignored and the
 * whole log is replayed instead — the log, not the checkpoint, is the truth.
 */
public final class Checkpoints {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
    private static final int MAGIC = 0x54414c59;
    private static final int FORMAT = 2; // 2: the dedup index has a disk tier

    private final Path file;

    public Checkpoints(Path dataDir) {
        this.file = dataDir.resolve("checkpoint.bin");
    }

    /** What a loaded checkpoint restored. */
    public record Loaded(long logPosition, UsageStore usage) {
    }

    public void write(long logPosition, Map<String, Long> generations, EventStore store, UsageStore usage)
            throws IOException {
        store.maintainIndex(); // release what left the dedup window before writing the rest
        Path tmp = file.resolveSibling("checkpoint.bin.tmp");
        CRC32C crc = new CRC32C();
        try (OutputStream raw = java.nio.channels.Channels.newOutputStream(dev.tally.engine.secrets.PrivateFiles.open(tmp,
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
                CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 20), crc);
                DataOutputStream out = new DataOutputStream(checked)) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeLong(logPosition);
            out.writeInt(generations.size());
            for (Map.Entry<String, Long> g : new TreeMap<>(generations).entrySet()) {
                out.writeUTF(g.getKey());
                out.writeLong(g.getValue());
            }
            try {
                store.writeIndex(out);
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
            usage.writeTo(out);
            out.flush();
            long sum = crc.getValue();
            out.writeLong(sum);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            LOG.debug("directory fsync not supported", e);
        }
        store.indexCheckpointed();
    }

    /**
     * Loads the checkpoint if it is intact and was taken under these meter generations; otherwise empty, and the
     * store's duplicate index is discarded (with its disk tier): the whole log will be replayed and re-adds every
     * identity. The index is loaded in place; the disk-tier slices it names are reopened, others deleted.
     */
    public Optional<Loaded> load(Map<String, Long> generations, EventStore store, java.time.Clock clock) {
        Optional<Loaded> loaded = tryLoad(generations, store, clock);
        if (loaded.isEmpty()) {
            store.discardIndex(); // the whole log is replayed: it re-adds every identity in the window
        }
        return loaded;
    }

    private Optional<Loaded> tryLoad(Map<String, Long> generations, EventStore store, java.time.Clock clock) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        CRC32C crc = new CRC32C();
        try (InputStream raw = Files.newInputStream(file);
                CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(raw, 1 << 20), crc);
                DataInputStream in = new DataInputStream(checked)) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                LOG.warn("ignoring {}: unknown format", file);
                return Optional.empty();
            }
            long position = in.readLong();
            int n = in.readInt();
            Map<String, Long> taken = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                taken.put(in.readUTF(), in.readLong());
            }
            if (!taken.equals(new TreeMap<>(generations))) {
                LOG.info("ignoring the checkpoint: meters changed since it was taken; replaying the whole log");
                return Optional.empty();
            }
            store.readIndex(in);
            UsageStore usage = new UsageStore(clock);
            usage.readFrom(in);
            long expected = crc.getValue();
            long stored = in.readLong();
            if (expected != stored) {
                throw new IOException("checksum mismatch");
            }
            return Optional.of(new Loaded(position, usage));
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring a damaged checkpoint ({}); replaying the whole log", e.toString());
            return Optional.empty();
        }
    }
}

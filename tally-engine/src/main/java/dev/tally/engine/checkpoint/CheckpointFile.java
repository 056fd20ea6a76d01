package dev.tally.engine.checkpoint;

import dev.tally.engine.secrets.PrivateFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StreamCorruptedException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * One checkpoint file of format 3 (a base or a delta): magic, format, kind, sequence number, the log position it
 * covers, every tenant's meter generation, the body, and a CRC32C over all of it. Written to a temporary file,
 * fsynced, renamed and the directory fsynced, so a file with its final name is whole.
 */
final class CheckpointFile {
    static final int MAGIC = 0x54414c59; // "TALY", as format 2
    static final int FORMAT = 3; // 3: a base and deltas chained by a manifest
    static final byte BASE = 0;
    static final byte DELTA = 1;

    private CheckpointFile() {
    }

    /** What every file states before its body. */
    record Header(byte kind, long seq, long position, Map<String, Long> generations) {
        Header {
            generations = Map.copyOf(generations);
        }
    }

    /** Writes a body. */
    interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    /** Reads a body. */
    interface Reader {
        void read(DataInputStream in) throws IOException;
    }

    /** Writes {@code dir/name} durably; returns its size in bytes. */
    static long write(Path dir, String name, Header header, Body body) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        CRC32C crc = new CRC32C();
        try (OutputStream raw = Channels.newOutputStream(PrivateFiles.open(tmp, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
                CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 20), crc);
                DataOutputStream out = new DataOutputStream(checked)) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeByte(header.kind());
            out.writeLong(header.seq());
            out.writeLong(header.position());
            Map<String, Long> sorted = new TreeMap<>(header.generations());
            out.writeInt(sorted.size());
            for (Map.Entry<String, Long> g : sorted.entrySet()) {
                out.writeUTF(g.getKey());
                out.writeLong(g.getValue());
            }
            body.write(out);
            out.flush();
            out.writeLong(crc.getValue());
        }
        return install(tmp, dir.resolve(name));
    }

    /** Writes small contents (the manifest) durably. */
    static long writeBytes(Path dir, String name, byte[] bytes) throws IOException {
        Path tmp = dir.resolve(name + ".tmp");
        try (FileChannel ch = PrivateFiles.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
        }
        return install(tmp, dir.resolve(name));
    }

    private static long install(Path tmp, Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(file.getParent());
        return Files.size(file);
    }

    static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // not supported on every platform; the rename itself is atomic
        }
    }

    /**
     * Reads a file: checks magic, format and the expected kind and sequence number, hands the header and the body
     * to the caller, then checks the CRC. A body read from a damaged file may have been handed out before the
     * mismatch is found; use {@link #verify} first where that matters.
     */
    static Header read(Path file, byte kind, long seq, java.util.function.Function<Header, Reader> reader)
            throws IOException {
        CRC32C crc = new CRC32C();
        try (InputStream raw = Files.newInputStream(file);
                CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(raw, 1 << 20), crc);
                DataInputStream in = new DataInputStream(checked)) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                throw new StreamCorruptedException(file + " is not a checkpoint of format " + FORMAT);
            }
            byte k = in.readByte();
            long s = in.readLong();
            if (k != kind || s != seq) {
                throw new StreamCorruptedException(file + " is not the checkpoint its manifest names");
            }
            long position = in.readLong();
            int n = in.readInt();
            if (n < 0) {
                throw new StreamCorruptedException("invalid generation count " + n);
            }
            Map<String, Long> generations = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                generations.put(in.readUTF(), in.readLong());
            }
            Header header = new Header(k, s, position, generations);
            reader.apply(header).read(in);
            long expected = crc.getValue();
            if (in.readLong() != expected) {
                throw new StreamCorruptedException(file + ": checksum mismatch");
            }
            if (in.read() != -1) {
                throw new StreamCorruptedException(file + ": trailing bytes");
            }
            return header;
        }
    }

    /** Checks a file's CRC without interpreting it. */
    static void verify(Path file, long expectedBytes) throws IOException {
        long size = Files.size(file);
        if (size != expectedBytes || size < 16) {
            throw new StreamCorruptedException(file + " has " + size + " bytes, its manifest says " + expectedBytes);
        }
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            long left = size - 8;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new StreamCorruptedException(file + " is truncated");
                }
                crc.update(buf, 0, n);
                left -= n;
            }
            long stored = new DataInputStream(in).readLong();
            if (stored != crc.getValue()) {
                throw new StreamCorruptedException(file + ": checksum mismatch");
            }
        }
    }
}

package dev.tally.engine.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The chain of checkpoint files a restart loads: one base and the deltas after it, oldest first, each with its
 * size. The manifest is the commit point: a file it does not name (a torn delta, a compaction's base not yet
 * installed, files a compaction replaced) is never read and is deleted at the next start.
 */
record Manifest(Link base, List<Link> deltas) {
    private static final int MAGIC = 0x54434d46; // "TCMF"
    static final String FILE = "manifest";

    /** One file of the chain. */
    record Link(long seq, long bytes) {
    }

    Manifest {
        deltas = List.copyOf(deltas);
    }

    Link last() {
        return deltas.isEmpty() ? base : deltas.get(deltas.size() - 1);
    }

    Manifest plus(Link delta) {
        List<Link> more = new ArrayList<>(deltas);
        more.add(delta);
        return new Manifest(base, more);
    }

    long deltaBytes() {
        return deltas.stream().mapToLong(Link::bytes).sum();
    }

    static String baseName(long seq) {
        return String.format("base-%016d.ckpt", seq);
    }

    static String deltaName(long seq) {
        return String.format("delta-%016d.ckpt", seq);
    }

    List<String> fileNames() {
        List<String> names = new ArrayList<>();
        names.add(FILE);
        names.add(baseName(base.seq()));
        deltas.forEach(d -> names.add(deltaName(d.seq())));
        return names;
    }

    byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(CheckpointFile.FORMAT);
            out.writeLong(base.seq());
            out.writeLong(base.bytes());
            out.writeInt(deltas.size());
            for (Link d : deltas) {
                out.writeLong(d.seq());
                out.writeLong(d.bytes());
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Reads a manifest; damaged or of another format: an exception. */
    static Manifest read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 8) {
            throw new StreamCorruptedException("truncated checkpoint manifest");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 8);
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes));
        if (in.readInt() != MAGIC || in.readInt() != CheckpointFile.FORMAT) {
            throw new StreamCorruptedException("not a checkpoint manifest of format " + CheckpointFile.FORMAT);
        }
        Link base = new Link(in.readLong(), in.readLong());
        int n = in.readInt();
        if (n < 0 || n > 1_000_000) {
            throw new StreamCorruptedException("invalid delta count " + n);
        }
        List<Link> deltas = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            deltas.add(new Link(in.readLong(), in.readLong()));
        }
        if (in.readLong() != crc.getValue()) {
            throw new StreamCorruptedException("checkpoint manifest checksum mismatch");
        }
        return new Manifest(base, deltas);
    }
}

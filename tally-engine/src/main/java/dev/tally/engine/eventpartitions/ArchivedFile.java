package dev.tally.engine.eventpartitions;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;

/**
 * A fetched archived month, unpacked into a local file of rows (seq, length, record) with a sparse index (every
 * {@value #EVERY}th row), so one record is found by seq without reading the month and a scan can start anywhere.
 */
final class ArchivedFile implements AutoCloseable {
    private static final int EVERY = 128;

    private final Path plain;
    private final long[] seqs;
    private final long[] offsets;

    private ArchivedFile(Path plain, long[] seqs, long[] offsets) {
        this.plain = plain;
        this.seqs = seqs;
        this.offsets = offsets;
    }

    /** Unpacks a verified archive object into {@code plain}. */
    static ArchivedFile unpack(Path gz, Path plain) throws IOException {
        long[] seqs = new long[16];
        long[] offsets = new long[16];
        int n = 0;
        long offset = 0;
        long row = 0;
        try (PartitionFile.Reader r = new PartitionFile.Reader(gz);
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(plain),
                        1 << 16))) {
            while (r.next()) {
                PartitionFile.Row x = r.row();
                if (row++ % EVERY == 0) {
                    if (n == seqs.length) {
                        seqs = Arrays.copyOf(seqs, n * 2);
                        offsets = Arrays.copyOf(offsets, n * 2);
                    }
                    seqs[n] = x.seq();
                    offsets[n++] = offset;
                }
                out.writeLong(x.seq());
                out.writeInt(x.record().length);
                out.write(x.record());
                offset += 12 + x.record().length;
            }
        }
        return new ArchivedFile(plain, Arrays.copyOf(seqs, n), Arrays.copyOf(offsets, n));
    }

    /** The record at {@code seq}, if this month holds it. */
    Optional<byte[]> read(long seq) throws IOException {
        try (Cursor c = cursor(seq)) {
            if (c.next() && c.seq() == seq) {
                return Optional.of(c.record());
            }
            return Optional.empty();
        }
    }

    /** A cursor over the rows with seq at or after {@code from}. */
    Cursor cursor(long from) throws IOException {
        int i = Arrays.binarySearch(seqs, from);
        int block = i >= 0 ? i : Math.max(0, -i - 2);
        FileChannel ch = FileChannel.open(plain, StandardOpenOption.READ);
        ch.position(seqs.length == 0 ? 0 : offsets[block]);
        InputStream in = new BufferedInputStream(Channels.newInputStream(ch), 1 << 16);
        return new Cursor(new DataInputStream(in), ch.size() - ch.position(), from);
    }

    /** Rows in seq order; {@link #next} skips rows before the start. */
    static final class Cursor implements AutoCloseable {
        private final DataInputStream in;
        private long remaining;
        private final long from;
        private long seq;
        private byte[] record;

        Cursor(DataInputStream in, long remaining, long from) {
            this.in = in;
            this.remaining = remaining;
            this.from = from;
        }

        boolean next() throws IOException {
            while (remaining > 0) {
                seq = in.readLong();
                int len = in.readInt();
                record = new byte[len];
                in.readFully(record);
                remaining -= 12 + len;
                if (seq >= from) {
                    return true;
                }
            }
            return false;
        }

        long seq() {
            return seq;
        }

        byte[] record() {
            return record;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(plain);
    }
}

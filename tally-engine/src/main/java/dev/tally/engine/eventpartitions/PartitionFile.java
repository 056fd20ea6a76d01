package dev.tally.engine.eventpartitions;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The archive format of one month of events: gzip of {@code "TEVP"}, format 1, then per row (in seq order) seq,
 * event time in microseconds, record length and record bytes, then a trailer: -1 and the row count. A file that
 * ends early, or whose trailer disagrees with its rows, is damaged.
 */
final class PartitionFile {
    static final int MAGIC = 0x54455650; // TEVP
    static final int FORMAT = 1;

    private PartitionFile() {
    }

    /** What a file holds: its row count and seq range (both -1 when empty). */
    record Summary(long rows, long minSeq, long maxSeq) {
    }

    /** One row being written or read. */
    record Row(long seq, long eventTimeMicros, byte[] record) {
    }

    /** Writes rows to {@code target} (gzip). */
    static final class Writer implements AutoCloseable {
        private final DataOutputStream out;
        private long rows;
        private long min = -1;
        private long max = -1;

        Writer(Path target) throws IOException {
            out = new DataOutputStream(new BufferedOutputStream(new GZIPOutputStream(Files.newOutputStream(target),
                    1 << 16), 1 << 16));
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
        }

        void add(Row r) throws IOException {
            if (r.seq() < 0 || r.seq() <= max) {
                throw new IllegalArgumentException("rows must come in increasing seq order");
            }
            out.writeLong(r.seq());
            out.writeLong(r.eventTimeMicros());
            out.writeInt(r.record().length);
            out.write(r.record());
            rows++;
            min = min < 0 ? r.seq() : min;
            max = r.seq();
        }

        Summary finish() throws IOException {
            out.writeLong(-1);
            out.writeLong(rows);
            out.close();
            return new Summary(rows, min, max);
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** Reads rows back from a gzip file, checking the header and trailer. */
    static final class Reader implements AutoCloseable {
        private final DataInputStream in;
        private long rows;
        private Row current;

        Reader(Path source) throws IOException {
            InputStream raw = Files.newInputStream(source);
            in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16));
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                in.close();
                throw new IOException("not an archived event partition");
            }
        }

        /** Moves to the next row; false at the end (after checking the trailer). */
        boolean next() throws IOException {
            try {
                long seq = in.readLong();
                if (seq == -1) {
                    long count = in.readLong();
                    if (count != rows) {
                        throw new IOException("archived partition trailer says " + count + " rows, found " + rows);
                    }
                    current = null;
                    return false;
                }
                long micros = in.readLong();
                int len = in.readInt();
                if (len < 0 || len > 64 << 20) {
                    throw new IOException("damaged archived partition");
                }
                byte[] record = new byte[len];
                in.readFully(record);
                rows++;
                current = new Row(seq, micros, record);
                return true;
            } catch (EOFException e) {
                throw new IOException("archived partition ends early", e);
            }
        }

        Row row() {
            return current;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** Reads the whole file: its summary, or an IOException if it is damaged. */
    static Summary verify(Path file) throws IOException {
        long rows = 0;
        long min = -1;
        long max = -1;
        try (Reader r = new Reader(file)) {
            while (r.next()) {
                if (r.row().seq() <= max) {
                    throw new IOException("archived partition rows out of order");
                }
                min = min < 0 ? r.row().seq() : min;
                max = r.row().seq();
                rows++;
            }
        }
        return new Summary(rows, min, max);
    }
}

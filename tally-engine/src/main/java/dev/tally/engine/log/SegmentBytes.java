package dev.tally.engine.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Random access to the bytes of one sealed segment exactly as {@link SegmentLog} wrote them (frames, uncompressed
 * offsets), wherever they are kept: a compressed file, a copy fetched from an archive. Implementations are
 * thread-safe for positional reads and throw {@link java.nio.channels.ClosedChannelException} once closed, so a
 * reader racing a switch to another copy retries on the new one.
 */
public interface SegmentBytes extends Closeable {
    /**
     * Fills {@code dst} with the segment's bytes from {@code position} or throws.
     *
     * @throws IOException if the bytes cannot be read or do not verify
     */
    void readFully(ByteBuffer dst, long position) throws IOException;
}

package dev.tally.engine.log;

import java.io.IOException;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Sealed segments of a {@link SegmentLog} that are no longer plain {@code segment-*.log} files (compressed, or
 * archived elsewhere). The log asks it at open which segment numbers it holds and their (uncompressed) sizes, and
 * reads those segments through {@link #open}; positions and frames are unchanged, so every reader (read, scan,
 * the duplicate index's verification) works the same on them.
 */
public interface SealedSegments {
    /** No segment is kept elsewhere: every segment is a plain file. */
    SealedSegments NONE = new SealedSegments() {
        @Override
        public NavigableMap<Integer, Long> sizes() {
            return new TreeMap<>();
        }

        @Override
        public SegmentBytes open(int number) throws IOException {
            throw new IOException("segment " + number + " is not held elsewhere");
        }
    };

    /** The segment numbers held here and each one's size in bytes as written (uncompressed). */
    NavigableMap<Integer, Long> sizes();

    /** Random access to one held segment; may be lazy (an archived copy is fetched on first read). */
    SegmentBytes open(int number) throws IOException;
}

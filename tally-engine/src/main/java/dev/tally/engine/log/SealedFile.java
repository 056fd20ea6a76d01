package dev.tally.engine.log;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A sealed segment of a {@link SegmentLog} still stored as a plain file: it is complete, synced and never written
 * again, so it may be read directly (e.g. to compress it).
 *
 * @param number the segment number
 * @param path the file
 * @param size its committed size in bytes
 */
public record SealedFile(int number, Path path, long size) {
    public SealedFile {
        Objects.requireNonNull(path, "path");
        if (number < 1 || size < 0) {
            throw new IllegalArgumentException("segment number must be positive and size not negative");
        }
    }
}

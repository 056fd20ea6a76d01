package dev.tally.engine.archive;

import dev.tally.engine.objectstore.ObjectStore;
import java.util.Objects;

/**
 * One segment that left local disk: where it is ({@code location} of the store and object {@code key}), its
 * compressed {@code bytes} and {@code sha256}, its uncompressed {@code size}, its record count and the time range of
 * its records (epoch seconds; see {@link RecordTimes}).
 */
record ArchivedSegment(int segment, long size, long bytes, String sha256, String key, String location, long records,
        long earliest, long latest) {
    ArchivedSegment {
        ObjectStore.checkKey(key);
        Objects.requireNonNull(location);
        if (segment < 1 || size < 0 || bytes < 0 || !sha256.matches("[0-9a-f]{64}") || location.contains("\t")) {
            throw new IllegalArgumentException("invalid archived segment entry");
        }
    }

    /** The object key of a compressed segment: the segment number and the checksum of its bytes. */
    static String keyOf(int segment, String sha256) {
        return String.format("log/segment-%010d-%s.zlog", segment, sha256);
    }

    String line() {
        return String.join("\t", Integer.toString(segment), Long.toString(size), Long.toString(bytes), sha256, key,
                location, Long.toString(records), Long.toString(earliest), Long.toString(latest));
    }

    static ArchivedSegment parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 9) {
            throw new IllegalArgumentException("manifest line has " + f.length + " fields, expected 9");
        }
        return new ArchivedSegment(Integer.parseInt(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), f[3], f[4],
                f[5], Long.parseLong(f[6]), Long.parseLong(f[7]), Long.parseLong(f[8]));
    }
}

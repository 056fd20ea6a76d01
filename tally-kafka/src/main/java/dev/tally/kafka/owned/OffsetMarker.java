package dev.tally.kafka.owned;

import java.nio.ByteBuffer;

/**
 * The progress record of a partition log: {@code [kind 'K'][int partition][long next offset]}. Its kind byte is
 * none of the engine's record kinds (1 event, 2 cancel), and it is appended in the same group commit as the events
 * of the Kafka records before that offset, so when it is in the log, they are too.
 */
final class OffsetMarker {
    static final byte KIND = 'K';
    static final int BYTES = 1 + 4 + 8;

    private OffsetMarker() {
    }

    static byte[] encode(int partition, long nextOffset) {
        if (nextOffset < 0) {
            throw new IllegalArgumentException("offsets are not negative");
        }
        return ByteBuffer.allocate(BYTES).put(KIND).putInt(partition).putLong(nextOffset).array();
    }

    static boolean is(byte[] record) {
        return record.length == BYTES && record[0] == KIND;
    }

    static int partition(byte[] record) {
        return ByteBuffer.wrap(record, 1, 4).getInt();
    }

    static long nextOffset(byte[] record) {
        return ByteBuffer.wrap(record, 5, 8).getLong();
    }
}

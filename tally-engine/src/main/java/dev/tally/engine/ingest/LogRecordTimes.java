package dev.tally.engine.ingest;

import dev.tally.engine.archive.RecordTimes;
import java.nio.ByteBuffer;

/**
 * The latest instant of a stored record without decoding its data: for an event the later of its event time and
 * its arrival, for a cancel the time it was recorded (epoch seconds). What log retention asks of closed segments.
 */
public final class LogRecordTimes implements RecordTimes {
    @Override
    public long latestEpochSecond(byte[] record) {
        ByteBuffer b = ByteBuffer.wrap(record);
        byte kind = b.get();
        for (int i = 0; i < 3; i++) { // tenant, source, id
            skip(b);
        }
        if (kind == LogRecord.CANCEL) {
            b.getLong(); // target
            return b.getLong();
        }
        skip(b); // type
        skip(b); // subject
        long time = b.getLong();
        b.getInt();
        long received = b.getLong();
        return Math.max(time, received);
    }

    private static void skip(ByteBuffer b) {
        int n = b.getInt();
        b.position(b.position() + n);
    }
}

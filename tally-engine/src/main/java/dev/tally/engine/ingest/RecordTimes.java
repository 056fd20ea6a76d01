package dev.tally.engine.ingest;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * The times a stored record carries, read without decoding its data (see {@link LogRecord} for the layout): an
 * event's time (its {@code events} partition) and the day it arrived (its {@code event_ids} partition); a cancel's
 * time. Times are truncated to microseconds, PostgreSQL's precision, so a value never rounds into the next month.
 */
final class RecordTimes {
    private RecordTimes() {
    }

    static OffsetDateTime eventTime(byte[] record) {
        ByteBuffer b = afterStrings(record, LogRecord.EVENT, 5);
        return utc(Instant.ofEpochSecond(b.getLong(), b.getInt()));
    }

    static LocalDate arrivalDay(byte[] record) {
        ByteBuffer b = afterStrings(record, LogRecord.EVENT, 5);
        b.position(b.position() + 12);
        return LocalDate.ofInstant(Instant.ofEpochSecond(b.getLong(), b.getInt()), ZoneOffset.UTC);
    }

    static OffsetDateTime cancelTime(byte[] record) {
        ByteBuffer b = afterStrings(record, LogRecord.CANCEL, 3);
        b.position(b.position() + 8);
        return utc(Instant.ofEpochSecond(b.getLong(), b.getInt()));
    }

    private static ByteBuffer afterStrings(byte[] record, byte kind, int strings) {
        ByteBuffer b = ByteBuffer.wrap(record);
        if (b.get() != kind) {
            throw new IllegalArgumentException("not a record of kind " + kind);
        }
        for (int i = 0; i < strings; i++) {
            b.position(b.position() + 4 + b.getInt(b.position()));
        }
        return b;
    }

    private static OffsetDateTime utc(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }
}

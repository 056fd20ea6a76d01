package dev.tally.kafka;

import dev.tally.engine.ingest.EventStore;
import dev.tally.engine.log.FingerprintIndex;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * The few fields of the engine's log record a worker needs (layout documented in the engine's
 * {@code LogRecord}: kind byte, then tenant, source, id, type and subject as int-length UTF-8 strings, then
 * the event time as epoch second and nano, ...), and the Kafka key of an event. Guarantees: {@link #candidate}
 * accepts exactly the well-formed event records the engine writes; {@link #key} is the producer's key, so the
 * partition of a customer is {@code murmur2(key) mod partitions} everywhere.
 */
public final class EventRecords {
    static final byte EVENT = 1;
    static final byte CANCEL = 2;

    private EventRecords() {
    }

    /** The message key: tenant, NUL, subject; so one customer's events share a partition and stay in order. */
    public static byte[] key(byte[] tenant, String subject) {
        byte[] s = subject.getBytes(StandardCharsets.UTF_8);
        byte[] key = Arrays.copyOf(tenant, tenant.length + 1 + s.length);
        System.arraycopy(s, 0, key, tenant.length + 1, s.length);
        return key;
    }

    /**
     * The candidate an event record stands for; throws {@link IllegalArgumentException} for anything that is
     * not a well-formed event record (a cancel, a truncated or foreign message).
     */
    public static EventStore.Candidate candidate(byte[] record) {
        if (record == null || record.length == 0) {
            throw new IllegalArgumentException("empty message");
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(record);
            byte kind = b.get();
            if (kind != EVENT) {
                throw new IllegalArgumentException("not an event record (kind " + kind + ")");
            }
            byte[] tenant = bytes(b);
            byte[] source = bytes(b);
            byte[] id = bytes(b);
            if (hasNul(tenant) || hasNul(source) || hasNul(id)) {
                // PostgreSQL text cannot hold NUL: such an event could never be stored, and retrying its batch
                // forever would stop the partition
                throw new IllegalArgumentException("tenant, source or id contains NUL, which PostgreSQL cannot store");
            }
            bytes(b); // type
            String subject = new String(bytes(b), StandardCharsets.UTF_8);
            Instant time = Instant.ofEpochSecond(b.getLong(), b.getInt());
            return new EventStore.Candidate(tenant, source, id, FingerprintIndex.fingerprint(tenant, source, id),
                    record, subject, time);
        } catch (BufferUnderflowException | java.time.DateTimeException e) {
            throw new IllegalArgumentException("truncated event record", e);
        }
    }

    private static boolean hasNul(byte[] s) {
        for (byte x : s) {
            if (x == 0) {
                return true;
            }
        }
        return false;
    }

    private static byte[] bytes(ByteBuffer b) {
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
            throw new IllegalArgumentException("bad field length " + len);
        }
        byte[] out = new byte[len];
        b.get(out);
        return out;
    }
}

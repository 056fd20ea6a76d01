package dev.tally.engine.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.event.UsageEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The binary form of what the log holds: an accepted event or a cancel that
 * names an earlier event. Layout: kind byte, tenant, source, id (each an
 * int-length UTF-8 string), then for an event type, subject, time
 * (epoch second + nano), receipt time, and the data object as JSON bytes; for a
 * cancel the original's position and the cancel time.
 */
sealed interface LogRecord {
    byte EVENT = 1;
    byte CANCEL = 2;

    String tenant();

    String source();

    String id();

    /** An accepted event. */
    record Event(String tenant, UsageEvent event, Instant receivedAt) implements LogRecord {
        @Override
        public String source() {
            return event.source();
        }

        @Override
        public String id() {
            return event.id();
        }
    }

    /** A correction: the event at {@code target} no longer counts. */
    record Cancel(String tenant, String source, String id, long target, Instant at) implements LogRecord {
    }

    static byte[] encode(LogRecord r, ObjectMapper mapper) {
        byte[] tenant = utf8(r.tenant());
        byte[] source = utf8(r.source());
        byte[] id = utf8(r.id());
        if (r instanceof Event e) {
            byte[] type = utf8(e.event().type());
            byte[] subject = utf8(e.event().subject());
            byte[] data = e.event().data().isEmpty() ? new byte[0] : DataJson.bytes(e.event().data(), mapper);
            ByteBuffer b = ByteBuffer.allocate(1 + 4 * 6 + tenant.length + source.length + id.length + type.length
                    + subject.length + data.length + 2 * 12);
            b.put(EVENT);
            put(b, tenant);
            put(b, source);
            put(b, id);
            put(b, type);
            put(b, subject);
            b.putLong(e.event().time().getEpochSecond()).putInt(e.event().time().getNano());
            b.putLong(e.receivedAt().getEpochSecond()).putInt(e.receivedAt().getNano());
            put(b, data);
            return b.array();
        }
        Cancel c = (Cancel) r;
        ByteBuffer b = ByteBuffer.allocate(1 + 12 + tenant.length + source.length + id.length + 8 + 12);
        b.put(CANCEL);
        put(b, tenant);
        put(b, source);
        put(b, id);
        b.putLong(c.target());
        b.putLong(c.at().getEpochSecond()).putInt(c.at().getNano());
        return b.array();
    }

    static LogRecord decode(byte[] bytes, ObjectMapper mapper) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte kind = b.get();
        String tenant = string(b);
        String source = string(b);
        String id = string(b);
        if (kind == CANCEL) {
            long target = b.getLong();
            return new Cancel(tenant, source, id, target, Instant.ofEpochSecond(b.getLong(), b.getInt()));
        }
        String type = string(b);
        String subject = string(b);
        Instant time = Instant.ofEpochSecond(b.getLong(), b.getInt());
        Instant received = Instant.ofEpochSecond(b.getLong(), b.getInt());
        int len = b.getInt();
        ObjectNode data;
        try {
            data = len == 0 ? mapper.createObjectNode() : (ObjectNode) mapper.readTree(bytes, b.position(), len);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return new Event(tenant, new UsageEvent(source, id, type, subject, time, data), received);
    }

    /** Whether the record at hand has this identity, without decoding the rest. */
    static boolean hasKey(byte[] bytes, byte[] tenant, byte[] source, byte[] id) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.get();
        return matches(b, tenant) && matches(b, source) && matches(b, id);
    }

    /** The kind byte and tenant of a record, cheaply. */
    static boolean isEventOf(byte[] bytes, byte[] tenant) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return b.get() == EVENT && matches(b, tenant);
    }

    /** The event type of an event record of this tenant, or null for other tenants and for cancels. */
    static String eventTypeIfTenant(byte[] bytes, byte[] tenant) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.get() != EVENT || !matches(b, tenant)) {
            return null;
        }
        b.position(b.position() + 4 + b.getInt(b.position()));
        b.position(b.position() + 4 + b.getInt(b.position()));
        return string(b);
    }

    private static boolean matches(ByteBuffer b, byte[] expected) {
        int len = b.getInt();
        if (len != expected.length) {
            return false;
        }
        int p = b.position();
        for (int i = 0; i < len; i++) {
            if (b.get(p + i) != expected[i]) {
                return false;
            }
        }
        b.position(p + len);
        return true;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void put(ByteBuffer b, byte[] s) {
        b.putInt(s.length).put(s);
    }

    private static String string(ByteBuffer b) {
        int len = b.getInt();
        String s = new String(b.array(), b.position(), len, StandardCharsets.UTF_8);
        b.position(b.position() + len);
        return s;
    }
}

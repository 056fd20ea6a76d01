package dev.tally.engine.ingest;

import dev.tally.engine.positions.EventKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * An event record's tenant, subject and hour read from its binary header (the data is not parsed): what the
 * position index of a sealed segment is built from. Empty for cancels.
 */
public final class LogRecordKeys implements EventKeys {
    @Override
    public Optional<Keyed> of(byte[] record) {
        ByteBuffer b = ByteBuffer.wrap(record);
        if (b.get() != LogRecord.EVENT) {
            return Optional.empty();
        }
        String tenant = string(b);
        skip(b); // source
        skip(b); // id
        skip(b); // type
        String subject = string(b);
        return Optional.of(new Keyed(tenant, subject, Math.floorDiv(b.getLong(), 3600L)));
    }

    private static String string(ByteBuffer b) {
        int n = b.getInt();
        String s = new String(b.array(), b.position(), n, StandardCharsets.UTF_8);
        b.position(b.position() + n);
        return s;
    }

    private static void skip(ByteBuffer b) {
        int n = b.getInt();
        b.position(b.position() + n);
    }
}

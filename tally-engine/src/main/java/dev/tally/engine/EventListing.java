package dev.tally.engine;

import dev.tally.core.validation.ValidationException;
import dev.tally.engine.ingest.EventPage;
import dev.tally.engine.ingest.EventQuery;
import dev.tally.engine.ingest.IngestPipeline;
import dev.tally.engine.ingest.LogScans;
import dev.tally.engine.ingest.StoredEvent;
import dev.tally.engine.usage.UsageStore;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stored events read back from the log: the paged listing behind {@code GET /v1/events} (signed cursors, so
 * a forged position never reaches the log) and a customer's events for explaining figures.
 */
final class EventListing {
    private final UsageStore usage;
    private final IngestPipeline pipeline;
    private final LogScans scans;
    private final byte[] cursorSecret;

    EventListing(UsageStore usage, IngestPipeline pipeline, LogScans scans, byte[] cursorSecret) {
        this.usage = usage;
        this.pipeline = pipeline;
        this.scans = scans;
        this.cursorSecret = cursorSecret.clone();
    }

    /** By log position, or (for one customer) by hour then arrival. */
    EventPage events(String tenant, EventQuery q) {
        if (q.customer().isEmpty()) {
            long after = q.cursor().map(c -> parseCursor(c, "l")[0]).orElse(-1L);
            List<StoredEvent> page = scans.scanEvents(tenant, after, q.type(), q.from(), q.to(), q.limit() + 1);
            return page(page, q.limit(), e -> sign("l." + e.position()));
        }
        long fromHour = q.from().map(UsageStore::hourOf).orElse(Long.MIN_VALUE);
        long toHour = q.to().map(t -> UsageStore.hourOf(t.minusNanos(1)) + 1).orElse(Long.MAX_VALUE);
        long[] cursor = q.cursor().map(c -> parseCursor(c, "c")).orElse(new long[] {Long.MIN_VALUE, -1});
        List<StoredEvent> out = new ArrayList<>();
        while (out.size() <= q.limit()) {
            List<long[]> positions = usage.positions(tenant, q.customer().get(), fromHour, toHour, cursor[0],
                    cursor[1], 512);
            if (positions.isEmpty()) {
                break;
            }
            for (long[] hp : positions) {
                cursor = hp;
                StoredEvent e = pipeline.stored(hp[1]);
                Instant at = e.event().time();
                if (q.type().isPresent() && !q.type().get().equals(e.event().type())
                        || q.from().isPresent() && at.isBefore(q.from().get())
                        || q.to().isPresent() && !at.isBefore(q.to().get())) {
                    continue;
                }
                out.add(e);
                if (out.size() > q.limit()) {
                    break;
                }
            }
        }
        return page(out, q.limit(), e -> sign("c." + UsageStore.hourOf(e.event().time()) + "." + e.position()));
    }

    /** The stored, uncancelled events of a customer with event time in [from, to), by hour then arrival. */
    List<StoredEvent> eventsOf(String tenant, String customer, Instant from, Instant to) {
        List<StoredEvent> out = new ArrayList<>();
        long[] cursor = {Long.MIN_VALUE, -1};
        while (true) {
            List<long[]> positions = usage.positions(tenant, customer, UsageStore.hourOf(from),
                    UsageStore.hourOf(to.minusNanos(1)) + 1, cursor[0], cursor[1], 4096);
            if (positions.isEmpty()) {
                return out;
            }
            for (long[] hp : positions) {
                cursor = hp;
                if (usage.isCancelled(hp[1])) {
                    continue;
                }
                StoredEvent e = pipeline.stored(hp[1]);
                if (!e.event().time().isBefore(from) && e.event().time().isBefore(to)) {
                    out.add(e);
                }
            }
        }
    }

    private static EventPage page(List<StoredEvent> events, int limit, Function<StoredEvent, String> cursorOf) {
        if (events.size() <= limit) {
            return new EventPage(events, Optional.empty());
        }
        List<StoredEvent> page = events.subList(0, limit);
        return new EventPage(page, Optional.of(cursorOf.apply(page.get(limit - 1))));
    }

    private String sign(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(cursorSecret, "HmacSHA256"));
            byte[] tag = mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
            return payload + "." + HexFormat.of().formatHex(tag, 0, 12);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private long[] parseCursor(String cursor, String kind) {
        int dot = cursor.lastIndexOf('.');
        if (dot < 0 || !MessageDigest.isEqual(sign(cursor.substring(0, dot)).getBytes(StandardCharsets.UTF_8),
                cursor.getBytes(StandardCharsets.UTF_8))) {
            throw new ValidationException("cursor", "is not a cursor this listing returned");
        }
        String[] parts = cursor.substring(0, dot).split("\\.");
        try {
            if (!parts[0].equals(kind)) {
                throw new NumberFormatException();
            }
            long[] out = new long[parts.length - 1];
            for (int i = 1; i < parts.length; i++) {
                out[i - 1] = Long.parseLong(parts[i]);
            }
            if (out.length != (kind.equals("c") ? 2 : 1)) {
                throw new NumberFormatException();
            }
            return out;
        } catch (RuntimeException e) {
            throw new ValidationException("cursor", "is not a cursor this listing returned");
        }
    }
}

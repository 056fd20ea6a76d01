package dev.tally.engine.ingest;

import dev.tally.core.event.UsageEvent;
import java.time.Instant;
import java.util.Objects;

/** An event as stored: the event, when it was received, whether it was cancelled, and its log position. */
public record StoredEvent(UsageEvent event, Instant receivedAt, boolean cancelled, long position) {
    public StoredEvent {
        Objects.requireNonNull(event);
        Objects.requireNonNull(receivedAt);
    }
}

package dev.tally.core.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One validated usage event: a CloudEvent whose {@code subject} is the
 * customer's external id. Guarantees every attribute is present and non-blank;
 * {@code data} is a JSON object (empty when the event carried none) and must be
 * treated as read-only by every holder.
 */
public record UsageEvent(String source, String id, String type, String subject, Instant time, ObjectNode data) {
    public UsageEvent {
        requireText(source, "source");
        requireText(id, "id");
        requireText(type, "type");
        requireText(subject, "subject");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(data, "data");
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must be a non-blank string");
        }
    }

    /** The order used to break ties between events at the same instant: source, then id. */
    public String tieBreak() {
        return source + '\u0000' + id;
    }
}

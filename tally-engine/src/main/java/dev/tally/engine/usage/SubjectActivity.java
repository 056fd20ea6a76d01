package dev.tally.engine.usage;

import java.time.Instant;
import java.util.Objects;

/** The stored events of one event subject: how many still count, and the time of the first and the last. */
public record SubjectActivity(String subject, long events, Instant firstSeen, Instant lastSeen) {
    public SubjectActivity {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(firstSeen, "firstSeen");
        Objects.requireNonNull(lastSeen, "lastSeen");
    }
}

package dev.tally.engine.anomaly;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A detector's finding at one evaluation: which incident (kind and identity), where its window starts, up to when
 * it was seen ({@code seenUntil}: the end of the hour evaluated, or now), and the figures. Statistics, not money:
 * held as doubles and stored rounded.
 */
record Signal(AnomalyKind kind, Optional<String> customer, Optional<String> meter, Optional<String> subject,
        Instant windowStart, Instant seenUntil, double observed, double expected, double score, String method) {
    Signal {
        Objects.requireNonNull(kind);
        Objects.requireNonNull(customer);
        Objects.requireNonNull(meter);
        Objects.requireNonNull(subject);
        Objects.requireNonNull(windowStart);
        Objects.requireNonNull(seenUntil);
        Objects.requireNonNull(method);
    }

    String incidentKey() {
        return key(kind, customer, meter, subject);
    }

    /** The identity of an incident: at most one is active per key. */
    static String key(AnomalyKind kind, Optional<String> customer, Optional<String> meter, Optional<String> subject) {
        return kind.wireName() + "\u001f" + customer.orElse("") + "\u001f" + meter.orElse("") + "\u001f"
                + subject.orElse("");
    }
}

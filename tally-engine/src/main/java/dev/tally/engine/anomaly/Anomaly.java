package dev.tally.engine.anomaly;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One detected incident. {@code customer} and {@code meter} are set for rate signals; {@code subject} names the
 * source (storms, new source, skew) or the API key (key spread). The window starts where the incident started and
 * is open ({@code windowEnd} empty) while it lasts. {@code observed} and {@code expected} are in the signal's unit
 * (events per hour, a share of events, a count of events or customers, see docs/ANOMALIES.md), {@code score} how
 * far observed is from expected (robust z-score for rates, observed over the threshold otherwise); {@code method}
 * the baseline used. {@code hold} is what the policy did when it was detected; it acts while the status is open.
 */
public record Anomaly(String id, String tenant, AnomalyKind kind, Optional<String> customer, Optional<String> meter,
        Optional<String> subject, Instant windowStart, Optional<Instant> windowEnd, BigDecimal observed,
        BigDecimal expected, BigDecimal score, String method, HoldAction hold, AnomalyStatus status,
        Instant detectedAt, Instant lastSeenAt, Optional<Instant> reviewedAt, Optional<String> reviewedBy) {
    public Anomaly {
        Objects.requireNonNull(id);
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(customer);
        Objects.requireNonNull(meter);
        Objects.requireNonNull(subject);
        Objects.requireNonNull(windowStart);
        Objects.requireNonNull(windowEnd);
        Objects.requireNonNull(observed);
        Objects.requireNonNull(expected);
        Objects.requireNonNull(score);
        Objects.requireNonNull(method);
        Objects.requireNonNull(hold);
        Objects.requireNonNull(status);
        Objects.requireNonNull(detectedAt);
        Objects.requireNonNull(lastSeenAt);
        Objects.requireNonNull(reviewedAt);
        Objects.requireNonNull(reviewedBy);
    }

    /** Whether the incident is still going on. */
    public boolean active() {
        return windowEnd.isEmpty();
    }
}

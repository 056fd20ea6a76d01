package dev.tally.engine.anomaly;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** One page of anomalies, newest first, and the cursor of the next page if there may be more. */
public record AnomalyPage(List<Anomaly> anomalies, Optional<String> next) {
    public AnomalyPage {
        anomalies = List.copyOf(anomalies);
        Objects.requireNonNull(next);
    }
}

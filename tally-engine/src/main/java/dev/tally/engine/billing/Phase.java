package dev.tally.engine.billing;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** A stretch of a subscription under one plan version: from {@code start} until {@code end} (open if empty). */
public record Phase(String plan, int planVersion, Instant start, Optional<Instant> end) {
    public Phase {
        Objects.requireNonNull(plan);
        Objects.requireNonNull(start);
        Objects.requireNonNull(end);
        if (end.isPresent() && !end.get().isAfter(start)) {
            throw new IllegalArgumentException("a phase must end after it starts");
        }
    }

    Phase endingAt(Instant at) {
        return new Phase(plan, planVersion, start, Optional.of(at));
    }
}

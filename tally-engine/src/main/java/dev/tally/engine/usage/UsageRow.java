package dev.tally.engine.usage;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One row of a usage answer: a window, the group's values in the requested
 * dimension order (empty when an event did not carry the dimension), the
 * exact value and how many events it was computed from.
 */
public record UsageRow(Instant windowStart, Instant windowEnd, List<Optional<String>> group, BigDecimal value,
        long events) {
    public UsageRow {
        group = List.copyOf(group);
    }
}

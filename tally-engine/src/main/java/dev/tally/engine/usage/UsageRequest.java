package dev.tally.engine.usage;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A usage question: one meter, one customer or all of them, a half-open range
 * [from, to), windows in a time zone, group-by dimensions and dimension
 * filters (both among the meter's group-by dimensions).
 */
public record UsageRequest(String meter, Optional<String> customer, Instant from, Instant to, Window window,
        ZoneId zone, List<String> groupBy, Map<String, Set<String>> filters) {
    public UsageRequest {
        Objects.requireNonNull(meter);
        Objects.requireNonNull(customer);
        Objects.requireNonNull(window);
        Objects.requireNonNull(zone);
        groupBy = List.copyOf(groupBy);
        filters = Map.copyOf(filters);
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("'from' must be before 'to'");
        }
    }
}

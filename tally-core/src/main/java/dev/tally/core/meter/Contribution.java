package dev.tally.core.meter;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * What one event adds to one meter version: the group it falls in, its number
 * ({@code 0} for count and unique count) and its distinct text (unique count
 * only, empty otherwise).
 */
public record Contribution(Meter meter, GroupKey group, BigDecimal value, String distinct) {
    public Contribution {
        Objects.requireNonNull(meter);
        Objects.requireNonNull(group);
        Objects.requireNonNull(value);
        Objects.requireNonNull(distinct);
    }
}

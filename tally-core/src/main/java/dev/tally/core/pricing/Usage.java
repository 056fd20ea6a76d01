package dev.tally.core.pricing;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * What is rated: either one {@link Quantity} (for unit, package, graduated and volume prices) or the
 * values of individual {@link Events} in order (for percentage, graduated_percentage and dynamic
 * prices). Guarantees non-negative values; a violation names the field ({@code quantity} or
 * {@code events[i].value}).
 */
public sealed interface Usage permits Usage.Quantity, Usage.Events {

    /** A metered quantity, fractional allowed, never negative. */
    record Quantity(BigDecimal value) implements Usage {
        /** Validates: present and not negative. */
        public Quantity {
            if (value == null) {
                throw new InvalidUsageException("quantity", "is required");
            }
            if (value.signum() < 0) {
                throw new InvalidUsageException("quantity", "must not be negative, got " + value.toPlainString());
            }
        }
    }

    /** Per-event values in event order (a transaction amount, or the event's own price), never negative. */
    record Events(List<BigDecimal> values) implements Usage {
        /** Validates: every value present and not negative; the list is copied and unmodifiable. */
        public Events {
            Objects.requireNonNull(values, "values");
            for (int i = 0; i < values.size(); i++) {
                BigDecimal v = values.get(i);
                if (v == null) {
                    throw new InvalidUsageException("events[" + i + "].value", "is required");
                }
                if (v.signum() < 0) {
                    throw new InvalidUsageException("events[" + i + "].value",
                            "must not be negative, got " + v.toPlainString());
                }
            }
            values = List.copyOf(values);
        }
    }

    /** A quantity to rate. */
    static Usage quantity(BigDecimal value) {
        return new Quantity(value);
    }

    /** Event values to rate, in event order. */
    static Usage events(List<BigDecimal> values) {
        return new Events(values);
    }
}

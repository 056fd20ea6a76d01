package dev.tally.core.billing.seat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Something that happens to a licensed charge inside a billing period and changes what it costs from then on: a
 * {@link Quantity} change (an API fact), a {@link PlanChange} (the charge under another plan version, or none), or
 * the subscription's {@link End} (an immediate cancellation).
 */
public sealed interface SeatStep {

    /** When the step takes effect. */
    Instant at();

    /** The quantity becomes {@code quantity} at {@code at}; {@code changeId} names the fact. */
    record Quantity(Instant at, BigDecimal quantity, String changeId) implements SeatStep {
        /** Validates: all present, the quantity not negative. */
        public Quantity {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(quantity, "quantity");
            Objects.requireNonNull(changeId, "changeId");
            if (quantity.signum() < 0) {
                throw new IllegalArgumentException("quantity must not be negative");
            }
        }

        /** The step of a recorded change. */
        public static Quantity of(QuantityChange c) {
            return new Quantity(c.effectiveAt(), c.quantity(), c.id());
        }
    }

    /** From {@code at}, the charge is priced by {@code next} (empty: the new plan has no such charge). */
    record PlanChange(Instant at, Optional<PricedCharge> next) implements SeatStep {
        /** Validates: all present. */
        public PlanChange {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(next, "next");
        }
    }

    /** The subscription ends at {@code at}: what was billed in advance for the rest of the period is credited. */
    record End(Instant at) implements SeatStep {
        /** Validates: present. */
        public End {
            Objects.requireNonNull(at, "at");
        }
    }
}

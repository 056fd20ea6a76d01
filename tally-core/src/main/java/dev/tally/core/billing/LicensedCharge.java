package dev.tally.core.billing;

import dev.tally.core.pricing.PriceModel;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A licensed charge: a price per unit of a subscription quantity (seats, projects, nodes), priced by any quantity
 * model (unit, package, graduated or volume tiers) over the quantity, billed {@link FeeTiming#IN_ADVANCE in advance}
 * or {@link FeeTiming#IN_ARREARS in arrears}. The quantity is either set through the API with an effective time
 * ({@code meter} empty: each change is an immutable fact) or read from a meter at the end of each period
 * ({@code meter} present, e.g. a {@code latest} or {@code unique_count} meter; then billed in arrears). Mid-period
 * changes of an API quantity are prorated by day as {@link Increase} and {@link Decrease} say; the arithmetic is in
 * {@code dev.tally.core.billing.seat.SeatBilling}.
 *
 * <p>Guarantees: a valid key and name, a quantity price model (never one rated per event), a meter key matching
 * {@link Plan#KEY} when present, and a meter-read quantity only in arrears (it is known only when the period ends).
 */
public record LicensedCharge(String key, String name, PriceModel price, FeeTiming timing, Optional<String> meter,
        Increase increase, Decrease decrease) implements Charge {

    /** Validates (see the type's guarantees). */
    public LicensedCharge {
        Checks.keyAndName(key, name);
        if (price == null) {
            throw new InvalidBillingException("price", "is required");
        }
        if (price.ratedPerEvent()) {
            throw new InvalidBillingException("price", "of a licensed charge must be a quantity model (unit, package,"
                    + " graduated or volume), not " + price.modelName());
        }
        Objects.requireNonNull(timing, "timing");
        Objects.requireNonNull(meter, "meter");
        Objects.requireNonNull(increase, "increase");
        Objects.requireNonNull(decrease, "decrease");
        if (meter.isPresent() && !Plan.KEY.matcher(meter.get()).matches()) {
            throw new InvalidBillingException("quantity.meter", "must be a meter key: " + Plan.KEY_RULE + ", got \""
                    + meter.get() + "\"");
        }
        if (meter.isPresent() && timing != FeeTiming.IN_ARREARS) {
            throw new InvalidBillingException("timing", "must be \"in_arrears\" for a quantity read from a meter (it"
                    + " is known only at the end of the period)");
        }
    }

    /** Whether the quantity is set through the API (not read from a meter). */
    public boolean setThroughApi() {
        return meter.isEmpty();
    }

    /**
     * When a mid-period increase is billed: {@link #IMMEDIATE} from the day it takes effect, as a one-off prorated
     * line on the subscription's next invoice; {@link #PERIOD_END} from the next period on (the rest of the current
     * period is not charged).
     */
    public enum Increase {
        IMMEDIATE("immediate"),
        PERIOD_END("period_end");

        private final String wireName;

        Increase(String wireName) {
            this.wireName = wireName;
        }

        /** The API spelling. */
        public String wireName() {
            return wireName;
        }

        /** The value with this API spelling, or empty. */
        public static Optional<Increase> fromWireName(String name) {
            return Arrays.stream(values()).filter(v -> v.wireName.equals(name)).findFirst();
        }
    }

    /**
     * What a mid-period decrease does: {@link #CREDIT} gives back the rest of the period, prorated by day;
     * {@link #NONE} gives nothing back (the higher quantity is paid until the period ends).
     */
    public enum Decrease {
        CREDIT("credit"),
        NONE("none");

        private final String wireName;

        Decrease(String wireName) {
            this.wireName = wireName;
        }

        /** The API spelling. */
        public String wireName() {
            return wireName;
        }

        /** The value with this API spelling, or empty. */
        public static Optional<Decrease> fromWireName(String name) {
            return Arrays.stream(values()).filter(v -> v.wireName.equals(name)).findFirst();
        }
    }
}

package dev.tally.core.discount;

import dev.tally.core.billing.Charge;
import dev.tally.core.billing.FlatCharge;
import dev.tally.core.billing.UsageCharge;
import dev.tally.core.pricing.ChargePricing;
import dev.tally.core.pricing.PriceModel;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * What a price override does to one charge: {@link Price} replaces a usage charge's price model (any model a plan
 * accepts: another unit price, another tier table, ...; the included quantity, minimum, maximum and prices by
 * dimension stay the plan's), {@link Amount} replaces a flat charge's amount, {@link PercentOff} takes a percentage
 * off a flat charge's amount, or off whatever a usage charge's lines come to (as a discount line). Guarantees valid terms (a non-negative amount, a
 * percentage in (0, 100]).
 */
public sealed interface OverrideTerms {

    /** The charge as these terms price it, or empty when they do not fit it (e.g. a new price model on a flat fee). */
    Optional<Charge> apply(Charge charge);

    /** The wire name: {@code price}, {@code amount} or {@code discount_percent}. */
    String wireName();

    /** A usage charge's price model, replaced. */
    record Price(PriceModel model) implements OverrideTerms {
        public Price {
            Objects.requireNonNull(model, "model");
        }

        @Override
        public Optional<Charge> apply(Charge charge) {
            if (!(charge instanceof UsageCharge u)) {
                return Optional.empty();
            }
            ChargePricing p = u.pricing();
            return Optional.of(new UsageCharge(u.key(), u.name(), u.meter(), u.filters(), new ChargePricing(model,
                    p.includedQuantity(), p.minimumAmount(), p.maximumAmount(), p.dimension(), p.byDimension())));
        }

        @Override
        public String wireName() {
            return "price";
        }
    }

    /** A flat charge's amount per period, replaced (prorated by day as the plan's would be). */
    record Amount(BigDecimal amount) implements OverrideTerms {
        public Amount {
            Objects.requireNonNull(amount, "amount");
            if (amount.signum() < 0) {
                throw new InvalidDiscountException("amount", "must not be negative, got " + amount.toPlainString());
            }
        }

        @Override
        public Optional<Charge> apply(Charge charge) {
            return charge instanceof FlatCharge f
                    ? Optional.of(new FlatCharge(f.key(), f.name(), amount, f.timing())) : Optional.empty();
        }

        @Override
        public String wireName() {
            return "amount";
        }
    }

    /** A percentage off the charge's lines (the plan's price stays; a discount line takes the percentage off). */
    record PercentOff(BigDecimal percent) implements OverrideTerms {
        public PercentOff {
            Objects.requireNonNull(percent, "percent");
            if (percent.signum() <= 0 || percent.compareTo(BigDecimal.valueOf(100)) > 0) {
                throw new InvalidDiscountException("discount_percent", "must be more than 0 and at most 100, got "
                        + percent.toPlainString());
            }
        }

        /**
         * A flat fee's amount is reduced by the percentage (exactly: {@code amount × (100 − percent) / 100}), so its
         * prorations and credits follow; a usage charge keeps its price and gets a discount line (see
         * {@link PricedPart#price}).
         */
        @Override
        public Optional<Charge> apply(Charge charge) {
            if (charge instanceof FlatCharge f) {
                BigDecimal reduced = f.amount().multiply(BigDecimal.valueOf(100).subtract(percent)).movePointLeft(2);
                return Optional.of(new FlatCharge(f.key(), f.name(), reduced, f.timing()));
            }
            return charge instanceof UsageCharge ? Optional.of(charge) : Optional.empty();
        }

        @Override
        public String wireName() {
            return "discount_percent";
        }
    }
}

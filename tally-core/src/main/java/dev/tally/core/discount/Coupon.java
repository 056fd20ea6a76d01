package dev.tally.core.discount;

import dev.tally.core.billing.Plan;
import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A tenant's coupon: a percentage off ({@code percentOff}, in (0, 100]) or a fixed amount off per billing period
 * ({@code amountOff}, positive, in its currency's minor unit), for one period, {@code periods} periods or for ever,
 * on every charge of an invoice or only the charges whose keys are in {@code appliesTo}. Archived coupons cannot be
 * redeemed any more; redemptions made before keep running. Guarantees: a valid key, exactly one of the two kinds,
 * {@code periods} present (1..1200) exactly for {@link CouponDuration#REPEATING}, and valid charge keys.
 */
public record Coupon(String key, String name, Optional<BigDecimal> percentOff, Optional<Money> amountOff,
        CouponDuration duration, Optional<Integer> periods, Set<String> appliesTo, Instant createdAt,
        Optional<Instant> archivedAt) {
    /** The longest repeating coupon, in periods (a hundred years of months). */
    public static final int MAX_PERIODS = 1200;

    /** Validates (see the type's guarantees). */
    public Coupon {
        if (key == null || !Plan.KEY.matcher(key).matches()) {
            throw new InvalidDiscountException("key", "must be 1 to 64 lower-case letters, digits, '_', '.' or '-'");
        }
        if (name == null || name.isBlank()) {
            throw new InvalidDiscountException("name", "must not be blank");
        }
        Objects.requireNonNull(percentOff, "percentOff");
        Objects.requireNonNull(amountOff, "amountOff");
        if (percentOff.isPresent() == amountOff.isPresent()) {
            throw new InvalidDiscountException("percent_off", "give exactly one of percent_off and amount_off");
        }
        percentOff.ifPresent(p -> {
            if (p.signum() <= 0 || p.compareTo(BigDecimal.valueOf(100)) > 0) {
                throw new InvalidDiscountException("percent_off", "must be more than 0 and at most 100");
            }
        });
        amountOff.ifPresent(a -> {
            if (a.amount().signum() <= 0 || !a.isRounded()) {
                throw new InvalidDiscountException("amount_off", "must be positive and in the currency's minor unit");
            }
        });
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(periods, "periods");
        if (periods.isPresent() != (duration == CouponDuration.REPEATING)) {
            throw new InvalidDiscountException("duration_periods", "is required exactly for a repeating coupon");
        }
        periods.ifPresent(n -> {
            if (n < 1 || n > MAX_PERIODS) {
                throw new InvalidDiscountException("duration_periods", "must be 1.." + MAX_PERIODS);
            }
        });
        appliesTo = Set.copyOf(appliesTo);
        for (String k : appliesTo) {
            if (!Plan.KEY.matcher(k).matches()) {
                throw new InvalidDiscountException("applies_to", "is not a charge key: " + k);
            }
        }
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(archivedAt, "archivedAt");
    }

    /** How many billing periods a redemption covers ({@link Integer#MAX_VALUE} for ever). */
    public int periodsCovered() {
        return switch (duration) {
            case ONCE -> 1;
            case REPEATING -> periods.orElseThrow();
            case FOREVER -> Integer.MAX_VALUE;
        };
    }

    /** How invoices name it, e.g. {@code "Launch (20 % off)"} or {@code "Welcome (10.00 USD off)"}. */
    public String label() {
        return name + " (" + percentOff.map(p -> p.stripTrailingZeros().toPlainString() + " %")
                .orElseGet(() -> amountOff.orElseThrow().plainString() + " " + amountOff.get().currency().getCurrencyCode())
                + " off)";
    }

    /** The discount one redemption of this coupon gives on one invoice, at most {@code amountLeft} for a fixed amount. */
    public Discount discount(Redemption r, Optional<Money> amountLeft) {
        dev.tally.core.billing.LineSource source = dev.tally.core.billing.LineSource.redemption(r.id(), key);
        return percentOff.map(p -> Discount.percent(source, label(), p, appliesTo))
                .orElseGet(() -> Discount.amount(source, label(), amountLeft.orElse(amountOff.orElseThrow()), appliesTo));
    }
}

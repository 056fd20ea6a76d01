package dev.tally.core.discount;

import dev.tally.core.billing.LineSource;
import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One discount to take off one invoice: a percentage of, or a fixed amount off, the charges it applies to
 * ({@code appliesTo}; empty means every charge of the invoice), named by its {@code source} and shown as
 * {@code label}. Guarantees exactly one of a percentage in (0, 100] and a positive amount rounded to its currency's
 * minor unit.
 */
public record Discount(LineSource source, String label, Optional<BigDecimal> percent, Optional<Money> amount,
        Set<String> appliesTo) {

    /** Validates (see the type's guarantees); the set is copied. */
    public Discount {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(percent, "percent");
        Objects.requireNonNull(amount, "amount");
        appliesTo = Set.copyOf(appliesTo);
        if (percent.isPresent() == amount.isPresent()) {
            throw new InvalidDiscountException("discount", "needs exactly one of a percentage and an amount");
        }
        percent.ifPresent(p -> {
            if (p.signum() <= 0 || p.compareTo(BigDecimal.valueOf(100)) > 0) {
                throw new InvalidDiscountException("percent_off", "must be more than 0 and at most 100");
            }
        });
        amount.ifPresent(a -> {
            if (!a.isRounded() || a.amount().signum() <= 0) {
                throw new InvalidDiscountException("amount_off", "must be positive and in the currency's minor unit");
            }
        });
    }

    /** A percentage off. */
    public static Discount percent(LineSource source, String label, BigDecimal percent, Set<String> appliesTo) {
        return new Discount(source, label, Optional.of(percent), Optional.empty(), appliesTo);
    }

    /** A fixed amount off. */
    public static Discount amount(LineSource source, String label, Money amount, Set<String> appliesTo) {
        return new Discount(source, label, Optional.empty(), Optional.of(amount), appliesTo);
    }

    boolean appliesTo(String chargeKey) {
        return appliesTo.isEmpty() || appliesTo.contains(chargeKey);
    }
}

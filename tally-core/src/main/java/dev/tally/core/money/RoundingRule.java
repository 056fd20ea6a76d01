package dev.tally.core.money;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.Objects;

/**
 * The one rounding rule of Tally: an amount is rounded to its currency's minor unit (ISO 4217
 * {@link Currency#getDefaultFractionDigits()}: USD 2, JPY 0, BHD 3) with {@link RoundingMode#HALF_UP},
 * that is half away from zero, symmetric for negative amounts (-0.005 USD rounds to -0.01).
 *
 * <p>Where it applies, and nowhere else: once per invoice line (the exact rated amount of the line),
 * once per tax line (the exact tax of one rate on the subtotal), and to minimum/maximum commitments
 * compared against rounded lines. Sums of rounded amounts are already at the minor unit and are never
 * rounded again. Rating itself is exact and never rounds.
 */
public final class RoundingRule {
    /** The rounding mode used at every rounding point: half away from zero. */
    public static final RoundingMode MODE = RoundingMode.HALF_UP;

    private RoundingRule() {
    }

    /**
     * The number of digits after the decimal point of the currency's minor unit.
     *
     * @throws InvalidMoneyException for currencies without a minor unit (e.g. XXX, XAU)
     */
    public static int minorUnitDigits(Currency currency) {
        Objects.requireNonNull(currency, "currency");
        int digits = currency.getDefaultFractionDigits();
        if (digits < 0) {
            throw new InvalidMoneyException(
                    "currency " + currency.getCurrencyCode() + " has no minor unit and cannot be billed");
        }
        return digits;
    }

    /**
     * Rounds an exact amount to the currency's minor unit with {@link #MODE}. The result always has
     * exactly {@link #minorUnitDigits(Currency)} digits after the point ("2.50", "165", "1.235").
     */
    public static BigDecimal round(BigDecimal amount, Currency currency) {
        Objects.requireNonNull(amount, "amount");
        return amount.setScale(minorUnitDigits(currency), MODE);
    }

    /** Whether the amount has no digits beyond the currency's minor unit (so rounding would not change it). */
    public static boolean isRounded(BigDecimal amount, Currency currency) {
        Objects.requireNonNull(amount, "amount");
        int digits = minorUnitDigits(currency);
        return amount.signum() == 0 || amount.stripTrailingZeros().scale() <= digits;
    }

    /**
     * Brings an amount that is already at the minor unit to exactly the minor unit's scale, without
     * rounding: fails if rounding would be needed. Used for sums of rounded amounts.
     */
    static BigDecimal atMinorUnitScale(BigDecimal roundedAmount, Currency currency) {
        if (!isRounded(roundedAmount, currency)) {
            throw new InvalidMoneyException(roundedAmount.toPlainString() + " is not rounded to the minor unit of "
                    + currency.getCurrencyCode() + " (" + minorUnitDigits(currency) + " digits)");
        }
        return roundedAmount.setScale(minorUnitDigits(currency), RoundingMode.UNNECESSARY);
    }
}

package dev.tally.server.stripe;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Set;

/**
 * Amounts as Stripe writes them: integers in the currency's smallest unit, by Stripe's own table of decimals
 * (zero-decimal currencies such as JPY, three-decimal ones such as BHD, two otherwise; ISK and UGX are zero-decimal
 * currencies that Stripe's API still writes with two). Exact both ways: an amount with more decimals than the
 * currency has is refused, never rounded.
 */
final class StripeAmounts {
    private static final Set<String> ZERO = Set.of("BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF",
            "VND", "VUV", "XAF", "XOF", "XPF");
    private static final Set<String> THREE = Set.of("BHD", "JOD", "KWD", "OMR", "TND");

    private StripeAmounts() {
    }

    /** The number of decimals Stripe's API uses for the currency. */
    static int exponent(Currency currency) {
        String c = currency.getCurrencyCode();
        return ZERO.contains(c) ? 0 : THREE.contains(c) ? 3 : 2;
    }

    /** The amount in Stripe's smallest unit; throws if it has more decimals than the currency. */
    static long toMinor(BigDecimal amount, Currency currency) {
        if (amount.stripTrailingZeros().scale() > Math.min(exponent(currency), Math.max(0,
                currency.getDefaultFractionDigits()))) {
            throw new IllegalArgumentException(amount.toPlainString() + " has more decimals than "
                    + currency.getCurrencyCode() + " has");
        }
        return amount.movePointRight(exponent(currency)).longValueExact();
    }

    /** Stripe's integer amount as an exact decimal at the currency's own scale (Tally's). */
    static BigDecimal fromMinor(long minor, Currency currency) {
        return BigDecimal.valueOf(minor).movePointLeft(exponent(currency))
                .setScale(Math.max(0, currency.getDefaultFractionDigits()), java.math.RoundingMode.UNNECESSARY);
    }
}

package dev.tally.core.money;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Objects;

/**
 * How many decimals a number shown to a person has (an invoice's PDF and HTML, the dashboard, the portal). The
 * stored and API values keep every digit; only what is drawn for people is rounded, once, with
 * {@link RoundingRule#MODE} (half away from zero):
 * <ul>
 *   <li>a <b>quantity</b> to at most {@value #QUANTITY_DECIMALS} decimals, trailing zeros dropped
 *       ({@code 333.33333…} shows as {@code 333.3333}, {@code 1000.000} as {@code 1000});</li>
 *   <li>a <b>unit price</b> to at most the currency's minor unit plus {@value #EXTRA_UNIT_PRICE_DECIMALS}
 *       decimals, trailing zeros beyond the minor unit dropped, never fewer than the minor unit
 *       ({@code 47.41935483…} USD shows as {@code 47.419355}, {@code 0.0015} as {@code 0.0015}, {@code 49} as
 *       {@code 49.00});</li>
 *   <li>an <b>amount</b> always at the currency's minor unit ({@code 59.82}, JPY {@code 1234}, BHD
 *       {@code 1.235}).</li>
 * </ul>
 * Guarantees: the result differs from the exact value by at most half a unit of its last shown decimal, is never
 * more precise than the rule allows, and is the exact value whenever that already fits the rule. Pure: no I/O,
 * no locale (formatting with grouping and symbols is the caller's).
 */
public final class DisplayPrecision {
    /** The most decimals a displayed quantity has. */
    public static final int QUANTITY_DECIMALS = 4;
    /** The decimals a displayed unit price may have beyond its currency's minor unit. */
    public static final int EXTRA_UNIT_PRICE_DECIMALS = 4;

    private DisplayPrecision() {
    }

    /** A quantity rounded for display: at most {@value #QUANTITY_DECIMALS} decimals, no trailing zeros. */
    public static BigDecimal quantity(BigDecimal exact) {
        Objects.requireNonNull(exact, "exact");
        return plain(exact.setScale(Math.min(Math.max(exact.scale(), 0), QUANTITY_DECIMALS), RoundingRule.MODE)
                .stripTrailingZeros(), 0);
    }

    /** The most decimals a unit price in this currency is shown with. */
    public static int maxUnitPriceDecimals(Currency currency) {
        return RoundingRule.minorUnitDigits(currency) + EXTRA_UNIT_PRICE_DECIMALS;
    }

    /**
     * A unit price rounded for display: at least the currency's minor unit of decimals, at most
     * {@link #maxUnitPriceDecimals(Currency)}, trailing zeros beyond the minor unit dropped.
     */
    public static BigDecimal unitPrice(BigDecimal exact, Currency currency) {
        Objects.requireNonNull(exact, "exact");
        int minor = RoundingRule.minorUnitDigits(currency);
        int max = maxUnitPriceDecimals(currency);
        BigDecimal rounded = exact.setScale(Math.min(Math.max(exact.scale(), 0), max), RoundingRule.MODE);
        return plain(rounded.stripTrailingZeros(), minor);
    }

    /** An amount at exactly the currency's minor unit ({@link RoundingRule#round}). */
    public static BigDecimal amount(BigDecimal exact, Currency currency) {
        return RoundingRule.round(exact, currency);
    }

    /** The value with at least {@code minScale} decimals and never a negative scale ("1E+3" becomes "1000"). */
    private static BigDecimal plain(BigDecimal v, int minScale) {
        return v.scale() < minScale ? v.setScale(minScale) : v;
    }
}

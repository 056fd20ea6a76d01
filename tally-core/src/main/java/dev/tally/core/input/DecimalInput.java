package dev.tally.core.input;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;

/**
 * Reads decimals from client input, exactly and within a bounded range. A value is a decimal string
 * ({@code "12.50"}, {@code "1e2"}) or an exact JSON number (an integer, or a number the mapper read as
 * {@code BigDecimal}); a JSON number already held as a {@code double} is refused because its exact digits are lost.
 * <p>
 * Guarantee: every value returned has at most {@link Range#maxIntegerDigits()} digits before the decimal point and
 * at most {@link Range#maxFractionDigits()} after it (trailing zeros after the point do not count), checked on the
 * scale and exponent in {@code long} arithmetic before any arithmetic is done with the value, so inputs like
 * {@code 1e2147483647} or {@code -1e-2147483647} are refused instead of overflowing or exhausting memory later.
 * Two ranges are published: {@link #AMOUNTS} for everything in billing definitions and requests (prices, amounts,
 * quantities, percentages, limits, thresholds) and {@link #MEASUREMENTS} for values carried by usage events.
 */
public final class DecimalInput {

    /** How many digits a decimal may have on each side of the decimal point. */
    public record Range(int maxIntegerDigits, int maxFractionDigits) {
        public Range {
            if (maxIntegerDigits < 1 || maxFractionDigits < 0) {
                throw new IllegalArgumentException("a decimal range needs at least one integer digit");
            }
        }

        /** The longest text worth parsing: every digit, a sign, a point and an exponent. */
        int maxTextLength() {
            return maxIntegerDigits + maxFractionDigits + 16;
        }

        String describe() {
            return "at most " + maxIntegerDigits + " before and " + maxFractionDigits + " after the decimal point";
        }
    }

    /** Prices, amounts, quantities, percentages, limits and thresholds: 30 digits on each side of the point. */
    public static final Range AMOUNTS = new Range(30, 30);

    /** Values in usage events' data and expression literals: 100 digits on each side of the point. */
    public static final Range MEASUREMENTS = new Range(100, 100);

    private DecimalInput() {
    }

    /**
     * A decimal from text ({@code "12.50"}, {@code "-3"}, {@code "1e2"}).
     *
     * @throws InvalidInputException if it is not a decimal or is outside the range
     */
    public static BigDecimal parse(String text, Range range) {
        if (text.length() > range.maxTextLength()) {
            throw new InvalidInputException("is too long to be a decimal (" + range.describe() + ")");
        }
        BigDecimal d;
        try {
            d = new BigDecimal(text);
        } catch (NumberFormatException e) {
            // also a number whose exponent does not fit an int
            throw new InvalidInputException("must be a decimal string like \"12.50\", got \"" + text + "\"");
        }
        return bounded(d, range);
    }

    /**
     * A decimal from a JSON string or an exact JSON number.
     *
     * @throws InvalidInputException if the node holds no decimal, a binary floating-point number, or a value
     *     outside the range
     */
    public static BigDecimal of(JsonNode node, Range range) {
        if (node.isTextual()) {
            return parse(node.textValue(), range);
        }
        if (node.isInt() || node.isLong() || node.isShort()) {
            return BigDecimal.valueOf(node.longValue());
        }
        if (node.isBigInteger()) {
            return bounded(new BigDecimal(node.bigIntegerValue()), range);
        }
        if (node.isBigDecimal()) {
            return bounded(node.decimalValue(), range);
        }
        if (node.isNumber()) {
            throw new InvalidInputException("must be a decimal string like \"1.5\": a JSON float loses its exact"
                    + " digits (integers are fine)");
        }
        throw new InvalidInputException("must be a decimal string like \"12.50\"");
    }

    /**
     * The value if it is inside the range; else the same number without trailing fraction zeros if that is.
     *
     * @throws InvalidInputException if the number is outside the range
     */
    public static BigDecimal bounded(BigDecimal d, Range range) {
        if (d.signum() == 0) {
            // zero has no digits to bound: 0e2147483647 and 0.000 are plain zero unless the scale is already fine
            return d.scale() >= 0 && d.scale() <= range.maxFractionDigits() ? d : BigDecimal.ZERO;
        }
        long scale = d.scale();
        long integerDigits = (long) d.precision() - scale;
        if (integerDigits > range.maxIntegerDigits()) {
            // dropping trailing zeros lowers precision and scale alike: it cannot bring these digits into range
            throw new InvalidInputException("has too many digits (" + range.describe() + ")");
        }
        if (scale <= range.maxFractionDigits()) {
            return d;
        }
        // scale > 0 here, so stripping cannot overflow it; the unscaled digits are bounded by the input's length
        BigDecimal stripped = d.stripTrailingZeros();
        if (stripped.scale() <= range.maxFractionDigits()) {
            return stripped;
        }
        throw new InvalidInputException("has too many digits (" + range.describe() + ")");
    }

    /** Whether a number is inside the range, judged from its precision and scale in long arithmetic. */
    public static boolean within(BigDecimal d, Range range) {
        long scale = d.scale();
        long integerDigits = (long) d.precision() - scale;
        return scale <= range.maxFractionDigits() && integerDigits <= range.maxIntegerDigits();
    }
}

package dev.tally.core.expression;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.core.input.DecimalInput;
import dev.tally.core.input.InvalidInputException;
import java.math.BigDecimal;

/**
 * Turns JSON field values into exact decimals (and lookup keys into text).
 * Integral JSON numbers and {@code DecimalNode}s are taken exactly; a binary
 * floating-point node (which has lost its exact digits) is refused, as it is
 * everywhere in Tally; strings must hold a plain decimal
 * ({@code -?digits(.digits)?}). Values that are absurdly large or precise for a
 * meter quantity are refused, so hostile event data cannot make arithmetic slow.
 */
final class FieldValues {

    /** Most significant digits, and most decimal places either way, accepted in a field value. */
    static final int MAX_DIGITS = DecimalInput.MEASUREMENTS.maxIntegerDigits();

    private FieldValues() {
    }

    static BigDecimal number(FieldPath path, JsonNode data) {
        JsonNode node = path.resolve(data);
        if (node.isInt() || node.isLong() || node.isShort()) {
            return BigDecimal.valueOf(node.longValue());
        }
        if (node.isTextual()) {
            return parseText(path, node.textValue());
        }
        if (node.isBigDecimal()) {
            return bounded(path, node.decimalValue());
        }
        if (node.isBigInteger()) {
            return bounded(path, new BigDecimal(node.bigIntegerValue()));
        }
        if (node.isNumber()) {
            // a binary floating-point node has already lost its exact digits: refused, like everywhere else
            throw ExpressionEvaluationException.notANumber(path, "it is a binary floating-point number");
        }
        throw ExpressionEvaluationException.notANumber(path,
                "it holds a JSON " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * The text a lookup compares with its keys, for a value {@link #isKeyable}: a
     * string as is, a boolean as {@code true}/{@code false}, an exact decimal as
     * its plain text, any other number as Jackson prints it.
     */
    static String keyText(JsonNode node) {
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBigDecimal()) {
            // plain text only within the range: 1e2147483647 printed plainly would need gigabytes
            BigDecimal d = node.decimalValue();
            return DecimalInput.within(d, DecimalInput.MEASUREMENTS) ? d.toPlainString() : d.toString();
        }
        return node.asText();
    }

    /** Whether a lookup may compare this value with its keys (strings, numbers, booleans). */
    static boolean isKeyable(JsonNode node) {
        return node.isTextual() || node.isNumber() || node.isBoolean();
    }

    private static BigDecimal parseText(FieldPath path, String text) {
        if (!isPlainDecimal(text)) {
            throw ExpressionEvaluationException.notANumber(path,
                    "it holds a string that is not a plain decimal number");
        }
        try {
            return DecimalInput.parse(text, DecimalInput.MEASUREMENTS);
        } catch (InvalidInputException e) {
            throw ExpressionEvaluationException.notANumber(path,
                    "it has more than " + MAX_DIGITS + " digits before or after the decimal point");
        }
    }

    /** {@code -?[0-9]+(\.[0-9]+)?}, at most about {@link #MAX_DIGITS} digits on each side. */
    private static boolean isPlainDecimal(String s) {
        int n = s.length();
        if (n == 0 || n > 2 * MAX_DIGITS + 2) {
            return false;
        }
        int i = s.charAt(0) == '-' ? 1 : 0;
        int intStart = i;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
        }
        if (i == intStart) {
            return false;
        }
        if (i == n) {
            return true;
        }
        if (s.charAt(i) != '.') {
            return false;
        }
        int fracStart = ++i;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
        }
        return i == n && i > fracStart;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The value within {@link DecimalInput#MEASUREMENTS}, the one published range of event values. */
    private static BigDecimal bounded(FieldPath path, BigDecimal value) {
        try {
            return DecimalInput.bounded(value, DecimalInput.MEASUREMENTS);
        } catch (InvalidInputException e) {
            throw ExpressionEvaluationException.notANumber(path,
                    "it has more than " + MAX_DIGITS + " digits before or after the decimal point");
        }
    }
}

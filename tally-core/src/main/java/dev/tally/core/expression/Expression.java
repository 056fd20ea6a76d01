package dev.tally.core.expression;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed meter expression that computes an exact decimal quantity from an
 * event's JSON {@code data} object, e.g.
 * {@code tokens * lookup(model, 'gpt-4', 30, 'gpt-3.5', 1, 1)}.
 *
 * <h2>Language</h2>
 * <ul>
 *   <li>Decimal literals {@code 3}, {@code 0.25} (no exponents, no leading dot).</li>
 *   <li>Field paths into {@code data}: identifiers {@code [A-Za-z_][A-Za-z0-9_]*}
 *       joined by dots ({@code usage.input_tokens}); a segment may be back-quoted
 *       for any other key ({@code `x-y`.z}, a back-quote inside is doubled).</li>
 *   <li>{@code + - * /} with the usual precedence (left-associative), unary
 *       minus, parentheses.</li>
 *   <li>Functions: {@code min(a, b, ...)}, {@code max(a, b, ...)} (two or more
 *       arguments), {@code ceil(x)}, {@code floor(x)}, {@code abs(x)},
 *       {@code round(x, digits)} (HALF_UP; {@code digits} an integer literal in
 *       -32..32, negative rounds to tens, hundreds...), and
 *       {@code lookup(field, 'k1', v1, 'k2', v2, ..., [default])}.</li>
 *   <li>Single-quoted strings ({@code ''} for a quote) appear only as lookup keys.</li>
 * </ul>
 *
 * <h2>Values</h2>
 * A field is read as a number exactly when Jackson holds it exactly: integral
 * nodes and {@code DecimalNode}s. Callers must therefore parse event JSON with
 * {@code DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS} (as Tally does); a
 * {@code DoubleNode} (what a default {@code ObjectMapper} produces for
 * {@code 0.1}) has already lost digits and is refused as {@code not_a_number}. A string holding a plain decimal ({@code "12.5"},
 * {@code "-3"}) also counts as a number. Values with more than 100 significant
 * digits or decimal places (or an exponent beyond that) are refused as
 * {@code not_a_number}, so hostile data cannot make arithmetic slow. An absent
 * field, a JSON {@code null}, or a path through a non-object is
 * {@code missing_field}; anything else that is not a number (booleans, objects,
 * arrays, other strings) is {@code not_a_number}.
 *
 * <p>A lookup compares the text of its field (a string as is, a boolean as
 * {@code true}/{@code false}, a number as its decimal text, e.g. {@code 4} or
 * {@code 1.50}) with its keys, case-sensitively, and evaluates only the chosen
 * value. With an odd number of arguments after the field the last one is the
 * default; without a default an unmatched (or object/array) value is
 * {@code no_lookup_match}.
 *
 * <h2>Arithmetic</h2>
 * {@code +}, {@code -}, {@code *} and the functions are exact. Division rounds
 * to {@link java.math.MathContext#DECIMAL128} (34 significant digits,
 * HALF_EVEN) and fails with {@code division_by_zero} on a zero divisor. The
 * result of {@link #evaluate} has trailing zeros stripped and a non-negative
 * scale ({@code 3.50 -> 3.5}, {@code 3E+3 -> 3000}), so equal quantities are
 * {@code equals}; render it with {@link BigDecimal#toPlainString()}.
 *
 * <h2>Limits</h2>
 * Sources are at most {@value #MAX_SOURCE_LENGTH} characters, nest parentheses,
 * calls and unary minus at most {@value #MAX_NESTING_DEPTH} deep, and pass at
 * most {@value #MAX_FUNCTION_ARGUMENTS} arguments to a call.
 *
 * <p>Instances are immutable and thread-safe. Equality, hash code and
 * {@link #toString()} are those of the exact {@link #source()} text.
 */
public final class Expression {

    /** The longest accepted source text, in characters. */
    public static final int MAX_SOURCE_LENGTH = 1000;
    /** The deepest accepted nesting of parentheses, function calls and unary minus. */
    public static final int MAX_NESTING_DEPTH = 32;
    /** The most arguments accepted in one function call. */
    public static final int MAX_FUNCTION_ARGUMENTS = 64;

    private final String source;
    private final Node root;
    private final Set<String> fieldPaths;

    private Expression(String source, Parser.Result parsed) {
        this.source = source;
        this.root = parsed.root();
        this.fieldPaths = parsed.fieldPaths();
    }

    /**
     * Parses {@code source}.
     *
     * @throws InvalidExpressionException if it is malformed or exceeds a limit;
     *     the message names the column and what was expected there
     */
    public static Expression parse(String source) {
        Objects.requireNonNull(source, "source");
        return new Expression(source, Parser.parse(source));
    }

    /**
     * Computes the quantity for one event's {@code data}; never returns
     * {@code null}. See the class documentation for how fields are read.
     *
     * @throws ExpressionEvaluationException if the data cannot produce a number;
     *     {@link ExpressionEvaluationException#reason()} says why
     */
    public BigDecimal evaluate(JsonNode data) {
        Objects.requireNonNull(data, "data");
        return normalize(root.evaluate(data));
    }

    /**
     * Every data path the expression reads (including lookup fields), in order of
     * first appearance, spelled canonically (plain segments bare, others
     * back-quoted: {@code usage.input_tokens}, {@code `x-y`.z}). Unmodifiable.
     */
    public Set<String> fieldPaths() {
        return fieldPaths;
    }

    /** The source text exactly as given to {@link #parse}. */
    public String source() {
        return source;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Expression that && source.equals(that.source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    /** Returns {@link #source()}. */
    @Override
    public String toString() {
        return source;
    }

    private static BigDecimal normalize(BigDecimal value) {
        BigDecimal result = value.scale() > 0 ? value.stripTrailingZeros() : value;
        return result.scale() < 0 ? result.setScale(0) : result;
    }
}

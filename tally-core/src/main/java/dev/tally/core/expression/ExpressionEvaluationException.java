package dev.tally.core.expression;

import java.util.Optional;

/**
 * Thrown by {@link Expression#evaluate} when an event's data cannot produce a
 * quantity. {@link #reason()} is always one of the stable, machine-readable
 * codes {@value #MISSING_FIELD}, {@value #NOT_A_NUMBER},
 * {@value #DIVISION_BY_ZERO} or {@value #NO_LOOKUP_MATCH}; the message is for
 * humans and never echoes field values (only field paths and JSON types).
 *
 * <p>These are data errors, not bugs, so the exception does not capture a stack
 * trace: rejecting many bad events stays cheap.
 */
public final class ExpressionEvaluationException extends RuntimeException {

    /** A field the expression reads is absent or JSON {@code null}. */
    public static final String MISSING_FIELD = "missing_field";
    /** A field used as a number is not a number nor a string holding a plain decimal. */
    public static final String NOT_A_NUMBER = "not_a_number";
    /** A division's divisor evaluated to zero. */
    public static final String DIVISION_BY_ZERO = "division_by_zero";
    /** A {@code lookup} without a default found no key equal to the field's value. */
    public static final String NO_LOOKUP_MATCH = "no_lookup_match";

    private final String reason;
    private final String fieldPath;

    private ExpressionEvaluationException(String reason, String message, String fieldPath) {
        super(message, null, false, false);
        this.reason = reason;
        this.fieldPath = fieldPath;
    }

    static ExpressionEvaluationException missingField(FieldPath path) {
        return new ExpressionEvaluationException(MISSING_FIELD,
                "field " + path.text() + " is missing", path.text());
    }

    static ExpressionEvaluationException notANumber(FieldPath path, String detail) {
        return new ExpressionEvaluationException(NOT_A_NUMBER,
                "field " + path.text() + " is not a number: " + detail, path.text());
    }

    static ExpressionEvaluationException divisionByZero() {
        return new ExpressionEvaluationException(DIVISION_BY_ZERO, "division by zero", null);
    }

    static ExpressionEvaluationException noLookupMatch(FieldPath key) {
        return new ExpressionEvaluationException(NO_LOOKUP_MATCH,
                "lookup has no key matching the value of field " + key.text() + " and no default",
                key.text());
    }

    /** The machine-readable reason: one of the four constants declared on this class. */
    public String reason() {
        return reason;
    }

    /**
     * The path (as listed by {@link Expression#fieldPaths()}) of the field at fault,
     * or empty for {@value #DIVISION_BY_ZERO}.
     */
    public Optional<String> fieldPath() {
        return Optional.ofNullable(fieldPath);
    }
}

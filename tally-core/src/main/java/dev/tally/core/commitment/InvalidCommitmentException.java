package dev.tally.core.commitment;

import java.util.Objects;

/**
 * Thrown when a commitment's figures are invalid (a negative minimum, amounts in two currencies, an overage rate below
 * zero). {@link #field()} names the offending field in the API's JSON spelling, or is empty; the message is safe to
 * show to the caller who supplied the value.
 */
public final class InvalidCommitmentException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String problem;

    InvalidCommitmentException(String field, String problem) {
        super(field.isEmpty() ? problem : field + " " + problem);
        this.field = Objects.requireNonNull(field);
        this.problem = Objects.requireNonNull(problem);
    }

    /** The JSON name of the offending field, or empty. */
    public String field() {
        return field;
    }

    /** What is wrong. */
    public String problem() {
        return problem;
    }
}

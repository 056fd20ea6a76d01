package dev.tally.core.billing;

import java.util.Objects;

/**
 * Thrown when a billing value is invalid (a plan key with upper-case letters, a negative fee, a period that ends
 * before it starts) or a billing computation is asked something impossible (the period of an instant before the
 * subscription started). {@link #field()} names the offending field in the JSON spelling of the API
 * ({@code trial_days}, {@code charges[1].key}) or is empty when no single field is at fault; the message reads
 * {@code field + " " + problem} and is safe to show to the caller who supplied the value.
 */
public final class InvalidBillingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String problem;

    public InvalidBillingException(String field, String problem) {
        super(field.isEmpty() ? problem : field + " " + problem);
        this.field = Objects.requireNonNull(field);
        this.problem = Objects.requireNonNull(problem);
    }

    /** The JSON path of the offending field, or empty when no single field is at fault. */
    public String field() {
        return field;
    }

    /** What is wrong, e.g. {@code "must not be negative, got -1"}. */
    public String problem() {
        return problem;
    }

    /** The same problem with the field path placed under {@code prefix} (e.g. {@code charges[2]}). */
    InvalidBillingException under(String prefix) {
        return new InvalidBillingException(Paths.join(prefix, field), problem);
    }
}

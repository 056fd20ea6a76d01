package dev.tally.core.ledger;

import java.util.Objects;

/**
 * Thrown when a ledger value is invalid (a grant of a negative amount, an entry whose sign does not fit its kind, an
 * expiry before the grant is effective) or a ledger would become inconsistent (an entry of an unknown grant, a
 * grant's balance below zero). {@link #field()} names the offending field in the API's JSON spelling, or is empty;
 * the message reads {@code field + " " + problem} and is safe to show to the caller who supplied the value.
 */
public final class InvalidLedgerException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String problem;

    InvalidLedgerException(String field, String problem) {
        super(field.isEmpty() ? problem : field + " " + problem);
        this.field = Objects.requireNonNull(field);
        this.problem = Objects.requireNonNull(problem);
    }

    /** The JSON name of the offending field, or empty when no single field is at fault. */
    public String field() {
        return field;
    }

    /** What is wrong, e.g. {@code "must be positive, got -1.00"}. */
    public String problem() {
        return problem;
    }
}

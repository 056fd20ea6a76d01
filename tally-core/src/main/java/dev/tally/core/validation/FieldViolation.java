package dev.tally.core.validation;

import java.util.Objects;

/** One invalid field of a request: its JSON path (e.g. {@code filters.region}) and a message safe to show. */
public record FieldViolation(String field, String message) {
    public FieldViolation {
        Objects.requireNonNull(field);
        Objects.requireNonNull(message);
    }
}

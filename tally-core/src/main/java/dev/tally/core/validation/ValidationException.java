package dev.tally.core.validation;

import java.util.List;

/** Client input failed validation; carries every offending field (at least one). */
public class ValidationException extends RuntimeException {
    private final List<FieldViolation> violations;

    public ValidationException(List<FieldViolation> violations) {
        super(violations.isEmpty() ? "invalid input" : violations.get(0).field() + ": " + violations.get(0).message());
        if (violations.isEmpty()) {
            throw new IllegalArgumentException("a validation failure needs at least one violation");
        }
        this.violations = List.copyOf(violations);
    }

    public ValidationException(String field, String message) {
        this(List.of(new FieldViolation(field, message)));
    }

    public List<FieldViolation> violations() {
        return violations;
    }
}

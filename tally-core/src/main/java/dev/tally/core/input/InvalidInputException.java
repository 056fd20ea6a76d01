package dev.tally.core.input;

/**
 * A value read from client input is outside what Tally accepts; {@link #getMessage()} says why in words safe to
 * show a client (it never holds internal detail). The caller names the field.
 */
public final class InvalidInputException extends IllegalArgumentException {
    public InvalidInputException(String safeProblem) {
        super(safeProblem);
    }

    /** What is wrong, without the field name (e.g. {@code has too many digits (...)}). */
    public String problem() {
        return getMessage();
    }
}

package dev.tally.core.money;

/**
 * Thrown when a money value or a money operation is not valid: a currency without a minor unit, an
 * amount that should already be rounded but is not, a negative tax rate. The message says which value
 * and why, and is safe to show to the caller who supplied it.
 */
public final class InvalidMoneyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidMoneyException(String message) {
        super(message);
    }
}

package dev.tally.core.pricing;

/**
 * Thrown when the usage given to rating is invalid: a negative quantity or event value, a quantity
 * given to a per-event model or events given to a quantity model. {@link #field()} is
 * {@code quantity} or {@code events[i].value}.
 */
public final class InvalidUsageException extends PricingException {
    private static final long serialVersionUID = 1L;

    InvalidUsageException(String field, String problem) {
        super(field, problem);
    }

    /** The same problem with the field path placed under {@code prefix}. */
    InvalidUsageException under(String prefix) {
        return new InvalidUsageException(join(prefix, field()), problem());
    }
}

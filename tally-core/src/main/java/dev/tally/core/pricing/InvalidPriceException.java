package dev.tally.core.pricing;

/**
 * Thrown when a price definition is invalid: a negative price, tiers out of order, an unknown model,
 * a malformed decimal, an unknown currency. {@link #field()} names the offending field
 * (e.g. {@code tiers[1].up_to}); the message reads like
 * {@code "tiers[1].up_to must be greater than tiers[0].up_to"}.
 */
public final class InvalidPriceException extends PricingException {
    private static final long serialVersionUID = 1L;

    InvalidPriceException(String field, String problem) {
        super(field, problem);
    }

    /** The same problem with the field path placed under {@code prefix} (e.g. {@code price}). */
    InvalidPriceException under(String prefix) {
        return new InvalidPriceException(join(prefix, field()), problem());
    }
}

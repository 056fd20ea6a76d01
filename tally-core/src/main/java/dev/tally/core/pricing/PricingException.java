package dev.tally.core.pricing;

import java.util.Objects;

/**
 * A client error in pricing input, naming the offending field by its JSON path (e.g.
 * {@code price.tiers[1].up_to}) and saying what is wrong with it; the message is
 * {@code field + " " + problem} and is safe to show to the client. Either the price definition is
 * invalid ({@link InvalidPriceException}) or the usage it was asked to rate is ({@link InvalidUsageException}).
 */
public abstract sealed class PricingException extends IllegalArgumentException
        permits InvalidPriceException, InvalidUsageException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String problem;

    PricingException(String field, String problem) {
        super(field.isEmpty() ? problem : field + " " + problem);
        this.field = Objects.requireNonNull(field);
        this.problem = Objects.requireNonNull(problem);
    }

    /** The JSON path of the offending field relative to the document that was read; empty for the whole document. */
    public String field() {
        return field;
    }

    /** What is wrong with the field, e.g. {@code "must not be negative"}. */
    public String problem() {
        return problem;
    }

    static String join(String prefix, String field) {
        if (prefix.isEmpty()) {
            return field;
        }
        if (field.isEmpty()) {
            return prefix;
        }
        return field.startsWith("[") ? prefix + field : prefix + "." + field;
    }
}

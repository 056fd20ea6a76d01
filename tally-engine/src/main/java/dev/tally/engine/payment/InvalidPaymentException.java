package dev.tally.engine.payment;

/** A payment request with an invalid field; {@link #field()} names it in the API's JSON spelling. Safe to show. */
public final class InvalidPaymentException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public InvalidPaymentException(String field, String problem) {
        super(field + " " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}

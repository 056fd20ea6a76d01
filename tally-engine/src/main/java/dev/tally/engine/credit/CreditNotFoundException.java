package dev.tally.engine.credit;

/** No such grant (or wallet) for this customer; a 404. */
public final class CreditNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CreditNotFoundException(String message) {
        super(message);
    }
}

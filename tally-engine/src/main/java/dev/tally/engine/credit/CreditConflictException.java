package dev.tally.engine.credit;

/** A credit operation that the ledger's state does not allow (e.g. voiding a grant with nothing left); a 409. */
public final class CreditConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CreditConflictException(String message) {
        super(message);
    }
}

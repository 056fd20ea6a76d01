package dev.tally.engine.billing;

/** A billing request conflicts with the current state (e.g. voiding a draft, or a duplicate customer). */
public final class BillingConflictException extends RuntimeException {
    public BillingConflictException(String safeDetail) {
        super(safeDetail);
    }
}

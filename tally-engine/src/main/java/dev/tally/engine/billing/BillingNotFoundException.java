package dev.tally.engine.billing;

/** A billing resource (customer, plan, subscription, invoice, line) does not exist for this tenant. */
public final class BillingNotFoundException extends RuntimeException {
    public BillingNotFoundException(String safeDetail) {
        super(safeDetail);
    }
}

package dev.tally.engine.billing;

/**
 * A billing request that conflicts with the stored state (an existing id, a rule of the current state). The detail is
 * safe to show; {@link #type()} is the stable machine-readable kind of conflict ({@code conflict} unless named).
 */
public final class BillingConflictException extends RuntimeException {
    private final String type;

    public BillingConflictException(String safeDetail) {
        this("conflict", safeDetail);
    }

    /** A conflict of a named kind, e.g. {@code customer-has-open-subscription}. */
    public BillingConflictException(String type, String safeDetail) {
        super(safeDetail);
        this.type = type;
    }

    /** The stable kind of conflict. */
    public String type() {
        return type;
    }
}

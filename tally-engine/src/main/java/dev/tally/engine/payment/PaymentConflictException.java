package dev.tally.engine.payment;

/**
 * A payment fact that conflicts with the ledger or the invoice (more than is due, a refund of more than was paid, a
 * reference already used for another fact, an invoice that is not payable). The detail is safe to show;
 * {@link #type()} is the stable machine-readable kind.
 */
public final class PaymentConflictException extends RuntimeException {
    private final String type;

    public PaymentConflictException(String type, String safeDetail) {
        super(safeDetail);
        this.type = type;
    }

    public String type() {
        return type;
    }
}

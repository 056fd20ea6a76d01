package dev.tally.server.stripe;

/** A Stripe webhook whose signature does not verify (wrong secret, altered body, or a timestamp out of tolerance). */
public final class StripeSignatureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StripeSignatureException(String safeDetail) {
        super(safeDetail);
    }
}

package dev.tally.server.stripe;

/** The tenant has no connected Stripe account (or no such tenant): nothing to verify a webhook or push with. */
public final class StripeNotConnectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StripeNotConnectedException() {
        super("no Stripe account is connected for this tenant");
    }
}

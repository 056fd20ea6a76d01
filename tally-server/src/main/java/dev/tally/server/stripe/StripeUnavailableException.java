package dev.tally.server.stripe;

/**
 * A webhook that cannot be applied yet (Stripe did not answer a look-up, or the event needs one that has not arrived,
 * such as a refund before its payment): answered with a 5xx so that Stripe sends it again later. Nothing was recorded.
 */
public final class StripeUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StripeUnavailableException(String safeDetail) {
        super(safeDetail);
    }
}

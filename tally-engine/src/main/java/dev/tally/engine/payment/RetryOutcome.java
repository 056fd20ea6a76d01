package dev.tally.engine.payment;

import java.util.Objects;

/**
 * What a provider said to a retry ({@link PaymentProvider#retry}): {@link Kind#PAID} (the invoice is paid; the fact
 * is recorded), {@link Kind#DECLINED} (the attempt failed; the failure fact arrives from the provider),
 * {@link Kind#UNAVAILABLE} (the provider could not be asked; try later), {@link Kind#NOT_COLLECTED} (no provider
 * collects this invoice, e.g. it is paid by bank transfer). {@code detail} is safe to show (the provider's words,
 * never Tally's internals).
 */
public record RetryOutcome(String provider, Kind kind, String detail) {
    public RetryOutcome {
        Objects.requireNonNull(provider);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(detail);
    }

    /** The kinds of answer to a retry. */
    public enum Kind {
        PAID, DECLINED, UNAVAILABLE, NOT_COLLECTED
    }

    public static RetryOutcome notCollected(String provider) {
        return new RetryOutcome(provider, Kind.NOT_COLLECTED, "no payment provider collects this invoice");
    }
}

package dev.tally.engine.payment;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * What a provider said to a retry ({@link PaymentProvider#retry}): {@link Kind#PAID} (the invoice is paid; the fact
 * is recorded), {@link Kind#REQUESTED} (the provider accepted the attempt; its result arrives later as a fact),
 * {@link Kind#DECLINED} (the attempt failed; the failure fact arrives from the provider), {@link Kind#UNAVAILABLE}
 * (the provider could not be asked; try later with the same idempotency key), {@link Kind#NOT_COLLECTED} (no provider
 * collects this invoice, e.g. it is paid by bank transfer: only a reminder can help). {@code reference} is the
 * provider's id for what it did, when it has one; {@code detail} is safe to show and to send in webhooks (the
 * provider's words, never Tally's internals).
 */
public record RetryOutcome(String provider, Kind kind, Optional<String> reference, String detail) {
    public RetryOutcome {
        Objects.requireNonNull(provider);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(reference);
        Objects.requireNonNull(detail);
    }

    public RetryOutcome(String provider, Kind kind, String detail) {
        this(provider, kind, Optional.empty(), detail);
    }

    /** The kinds of answer to a retry; {@link #wireName()} is the API spelling. */
    public enum Kind {
        PAID("paid"), REQUESTED("requested"), DECLINED("declined"), UNAVAILABLE("unavailable"),
        NOT_COLLECTED("not_collected");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Optional<Kind> fromWireName(String s) {
            return Arrays.stream(values()).filter(v -> v.wireName.equals(s)).findFirst();
        }
    }

    public static RetryOutcome notCollected(String provider) {
        return new RetryOutcome(provider, Kind.NOT_COLLECTED, "no payment provider collects this invoice");
    }
}

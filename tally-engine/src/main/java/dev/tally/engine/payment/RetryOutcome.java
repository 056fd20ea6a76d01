package dev.tally.engine.payment;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * What a provider did with a retry request: asked its side to charge again ({@code requested}, with its
 * reference), only reminded the customer ({@code reminder_only}, the manual provider: a person must pay), or cannot
 * retry ({@code unsupported}). The detail is safe to show and to send in webhooks.
 */
public record RetryOutcome(Status status, Optional<String> reference, String detail) {
    /** The outcome's kind; {@link #wireName()} is the API spelling. */
    public enum Status {
        REQUESTED("requested"), REMINDER_ONLY("reminder_only"), UNSUPPORTED("unsupported");

        private final String wireName;

        Status(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Optional<Status> fromWireName(String s) {
            return Arrays.stream(values()).filter(v -> v.wireName.equals(s)).findFirst();
        }
    }

    public RetryOutcome {
        Objects.requireNonNull(status);
        Objects.requireNonNull(reference);
        Objects.requireNonNull(detail);
    }
}

package dev.tally.engine.notify;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One attempt to deliver a message: when, why (on the retry schedule or asked for by hand), the HTTP status
 * the endpoint answered, or the error when there was no answer (timeout, refused address, connection error).
 */
public record DeliveryAttempt(int attempt, Trigger trigger, Instant at, Optional<Integer> statusCode,
        Optional<String> error, long durationMillis) {

    /** What started an attempt. */
    public enum Trigger {
        SCHEDULED("scheduled"), MANUAL("manual");

        private final String wireName;

        Trigger(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        static Trigger fromWireName(String s) {
            return s.equals("manual") ? MANUAL : SCHEDULED;
        }
    }

    public DeliveryAttempt {
        Objects.requireNonNull(trigger);
        Objects.requireNonNull(at);
        Objects.requireNonNull(statusCode);
        Objects.requireNonNull(error);
    }

    /** A 2xx answer within the time limit. */
    public boolean succeeded() {
        return statusCode.isPresent() && statusCode.get() >= 200 && statusCode.get() < 300 && error.isEmpty();
    }
}

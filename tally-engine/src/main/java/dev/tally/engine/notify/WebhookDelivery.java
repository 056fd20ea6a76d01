package dev.tally.engine.notify;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One message on its way to one endpoint, with every attempt so far. {@code messageId} is the Standard
 * Webhooks {@code webhook-id}, the same on every attempt; {@code nextAttemptAt} is set while it is pending.
 */
public record WebhookDelivery(String id, String endpointId, String messageId, String type, Status status,
        int attemptCount, Optional<Instant> nextAttemptAt, Instant createdAt, List<DeliveryAttempt> attempts) {

    /** pending (will be attempted), succeeded, failed (gave up, or its endpoint was disabled), cancelled (deleted). */
    public enum Status {
        PENDING("pending"), SUCCEEDED("succeeded"), FAILED("failed"), CANCELLED("cancelled");

        private final String wireName;

        Status(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        static Status fromWireName(String s) {
            for (Status v : values()) {
                if (v.wireName.equals(s)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown delivery status " + s);
        }
    }

    public WebhookDelivery {
        Objects.requireNonNull(id);
        Objects.requireNonNull(status);
        Objects.requireNonNull(nextAttemptAt);
        attempts = List.copyOf(attempts);
    }
}

package dev.tally.engine.notify;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A tenant's webhook endpoint: where messages go and which types it receives (an empty list: every type).
 * Never carries its signing secret, which is shown once ({@link EndpointSecret}). {@code failingSince} is the
 * first failed attempt of the current streak of failures; {@code previousSecretExpiresAt} is set while a
 * rotated-out secret still signs too.
 */
public record WebhookEndpoint(String id, String tenant, String url, String description, List<String> eventTypes,
        Status status, Instant createdAt, Instant updatedAt, Optional<Instant> failingSince,
        Optional<Instant> disabledAt, Optional<String> disabledReason, Optional<Instant> previousSecretExpiresAt) {

    /** Whether the endpoint receives deliveries. */
    public enum Status {
        ENABLED("enabled"), DISABLED("disabled");

        private final String wireName;

        Status(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        static Status fromWireName(String s) {
            return s.equals("enabled") ? ENABLED : DISABLED;
        }
    }

    public WebhookEndpoint {
        Objects.requireNonNull(id);
        Objects.requireNonNull(url);
        eventTypes = List.copyOf(eventTypes);
        Objects.requireNonNull(status);
        Objects.requireNonNull(failingSince);
        Objects.requireNonNull(disabledAt);
        Objects.requireNonNull(disabledReason);
        Objects.requireNonNull(previousSecretExpiresAt);
    }

    /** Whether a message of this type goes to this endpoint (by its filter; status aside). */
    public boolean receives(String type) {
        return eventTypes.isEmpty() || eventTypes.contains(type);
    }
}

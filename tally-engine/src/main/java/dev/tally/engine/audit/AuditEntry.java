package dev.tally.engine.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * A change to append: who, which resource (kind and id), the action (e.g. {@code POST /v1/meters} or
 * {@code invoice.finalized}), the request id if the change came through the API, and the resource's state before
 * and after (empty: it did not exist, or has no readable state). Secrets are redacted by {@link AuditLog} before
 * anything is stored.
 */
public record AuditEntry(String tenant, Actor actor, String resource, String resourceId, String action,
        Optional<String> requestId, Optional<JsonNode> before, Optional<JsonNode> after) {
    public AuditEntry {
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(actor);
        Objects.requireNonNull(resource);
        Objects.requireNonNull(resourceId);
        Objects.requireNonNull(action);
        Objects.requireNonNull(requestId);
        Objects.requireNonNull(before);
        Objects.requireNonNull(after);
        if (resource.isBlank() || action.isBlank()) {
            throw new IllegalArgumentException("an audit entry needs a resource and an action");
        }
    }
}

package dev.tally.engine.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One stored audit record: never changed after it was appended. {@code patch} is the RFC 6902 JSON Patch from the
 * state before to the state after (secrets already redacted); {@code version} is the resource's {@code version}
 * field after the change, when it has one.
 */
public record AuditRecord(String id, String tenant, Instant at, Actor actor, String resource, String resourceId,
        Optional<String> version, String action, Optional<String> requestId, JsonNode patch) {
    public AuditRecord {
        Objects.requireNonNull(id);
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(at);
        Objects.requireNonNull(actor);
        Objects.requireNonNull(resource);
        Objects.requireNonNull(resourceId);
        Objects.requireNonNull(version);
        Objects.requireNonNull(action);
        Objects.requireNonNull(requestId);
        Objects.requireNonNull(patch);
    }
}

package dev.tally.engine.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One stored version of an event type's schema. Guarantees: {@code version} counts from 1 without gaps per event type;
 * {@code schema} is a JSON Schema (2020-12) that compiled when the version was created, or empty for a retirement
 * (events of the type are not validated while it is in force); the version is in force for events arriving from
 * {@code effectiveFrom} on, until a later version takes over. Never changes once stored.
 */
public record SchemaVersion(String eventType, int version, Optional<JsonNode> schema, Instant effectiveFrom,
        Instant createdAt) {
    public SchemaVersion {
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(effectiveFrom, "effectiveFrom");
        Objects.requireNonNull(createdAt, "createdAt");
        if (eventType.isBlank()) {
            throw new IllegalArgumentException("eventType must not be blank");
        }
        if (version < 1) {
            throw new IllegalArgumentException("version counts from 1");
        }
        schema = schema.map(JsonNode::deepCopy);
    }

    /** A retirement: from its effective time on, events of the type are not validated. */
    public boolean retired() {
        return schema.isEmpty();
    }

    @Override
    public Optional<JsonNode> schema() {
        return schema.map(JsonNode::deepCopy);
    }
}

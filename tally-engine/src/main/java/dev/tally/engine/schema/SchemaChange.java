package dev.tally.engine.schema;

import java.util.Objects;

/**
 * What a schema change did: the version it stored, or the existing version it left as it was ({@code created} false:
 * the request asked for what is already the latest version).
 */
public record SchemaChange(SchemaVersion version, boolean created) {
    public SchemaChange {
        Objects.requireNonNull(version, "version");
    }
}

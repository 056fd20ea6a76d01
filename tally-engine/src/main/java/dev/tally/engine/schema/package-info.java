/**
 * Versioned JSON Schemas (draft 2020-12) of event types: a tenant may give an event type a schema, and every event of
 * that type that arrives while a version is in force must have {@code data} that the version accepts, else it is
 * rejected {@code schema_violation} with the failing path and keyword named. Versions are appended, never edited
 * (a retirement is a version without a schema); a version is in force from its {@code effective_from} by arrival
 * time. {@link dev.tally.engine.schema.EventSchemas} is the facade; each version is compiled once, and an event of a
 * type without a schema costs one map read. Validation uses networknt json-schema-validator, which runs on Jackson 3:
 * event data (Jackson 2 trees) is copied into a Jackson 3 tree for it.
 */
package dev.tally.engine.schema;

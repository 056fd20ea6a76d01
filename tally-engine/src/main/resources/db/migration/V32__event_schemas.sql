-- Versioned JSON Schemas (2020-12) of event types (docs/METERS.md, "Event schemas"). Rows are only ever appended:
-- a change is a new version, a retirement is a version whose schema is NULL. A version is in force for events that
-- arrive from its effective_from on (RFC 3339, UTC), until a later version takes over.
CREATE TABLE event_schemas (
    tenant_id      TEXT    NOT NULL REFERENCES tenants (id),
    event_type     TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    schema_json    TEXT,
    effective_from TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, event_type, version)
);

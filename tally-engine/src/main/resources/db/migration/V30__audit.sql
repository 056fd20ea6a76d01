-- The audit trail: one row per change to configuration or money, appended and never updated. Rows are deleted only
-- by retention pruning (AuditLog.prune, older than TALLY_AUDIT_RETENTION_DAYS). Ordered by (at_ms, id); the id is
-- time-ordered too, so the pair is a stable cursor.
CREATE TABLE audit_records (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    at_ms       BIGINT NOT NULL,
    at          TEXT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    TEXT,
    actor_name  TEXT,
    resource    TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    version     TEXT,
    action      TEXT NOT NULL,
    request_id  TEXT,
    patch       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_records_time ON audit_records (tenant_id, at_ms, id);
CREATE INDEX audit_records_resource ON audit_records (tenant_id, resource, resource_id, at_ms);
CREATE INDEX audit_records_prune ON audit_records (at_ms);

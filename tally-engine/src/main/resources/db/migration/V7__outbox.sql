-- Transactional outbox: a webhook message is recorded in the same transaction as the change that caused it.
CREATE TABLE outbox_messages (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    type       TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    fanned_out INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox_messages (fanned_out, created_at);

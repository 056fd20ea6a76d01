-- Webhook endpoints, one delivery per (endpoint, outbox message), and every attempt of each delivery.
-- Timestamps are fixed-width UTC text (yyyy-MM-ddTHH:mm:ss.SSSZ) so they compare as text on SQLite and PostgreSQL.
CREATE TABLE webhook_endpoints (
    id                    TEXT PRIMARY KEY,
    tenant_id             TEXT NOT NULL REFERENCES tenants (id),
    url                   TEXT NOT NULL,
    description           TEXT NOT NULL,
    event_types           TEXT NOT NULL,
    secret                TEXT NOT NULL,
    previous_secret       TEXT,
    previous_secret_until TEXT,
    status                TEXT NOT NULL,
    failing_since         TEXT,
    disabled_at           TEXT,
    disabled_reason       TEXT,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    deleted_at            TEXT
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, status);

CREATE TABLE webhook_deliveries (
    id                 TEXT PRIMARY KEY,
    tenant_id          TEXT NOT NULL REFERENCES tenants (id),
    endpoint_id        TEXT NOT NULL REFERENCES webhook_endpoints (id),
    message_id         TEXT NOT NULL REFERENCES outbox_messages (id),
    message_created_at TEXT NOT NULL,
    type               TEXT NOT NULL,
    status             TEXT NOT NULL,
    attempts           INTEGER NOT NULL DEFAULT 0,
    scheduled_attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at    TEXT,
    claimed_until      TEXT,
    last_attempt_at    TEXT,
    created_at         TEXT NOT NULL,
    UNIQUE (endpoint_id, message_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (tenant_id, endpoint_id, created_at);

CREATE TABLE webhook_attempts (
    delivery_id  TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempt      INTEGER NOT NULL,
    trigger_kind TEXT NOT NULL,
    attempted_at TEXT NOT NULL,
    status_code  INTEGER,
    error        TEXT,
    duration_ms  INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);

-- Entitlements, quotas and usage alerts (SQLite and PostgreSQL alike: TEXT and INTEGER, instants as ISO-8601 TEXT).

-- A customer's change to one feature of its plan (JSON: enabled, meter, limit, mode, grace_percent).
CREATE TABLE entitlement_overrides (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    customer_id TEXT NOT NULL,
    feature_key TEXT NOT NULL,
    definition  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, customer_id, feature_key)
);

-- A hard limit used up in a period: the row that decides that entitlement.exhausted is recorded once.
CREATE TABLE entitlement_exhaustions (
    tenant_id    TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    feature_key  TEXT NOT NULL,
    period_start TEXT NOT NULL,
    used         TEXT NOT NULL,
    exhausted_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, customer_id, feature_key, period_start)
);

-- Usage and spend alerts (JSON definition: customer or plan, metric, meter, thresholds).
CREATE TABLE alerts (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    definition TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX alerts_by_tenant ON alerts (tenant_id, created_at);

-- One row per threshold crossed per customer and billing period: the row that decides that it fires once.
CREATE TABLE alert_firings (
    alert_id     TEXT NOT NULL,
    tenant_id    TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    period_start TEXT NOT NULL,
    threshold    TEXT NOT NULL,
    value        TEXT NOT NULL,
    fired_at     TEXT NOT NULL,
    PRIMARY KEY (alert_id, customer_id, period_start, threshold)
);

-- Change tracking for the in-memory entitlement view of every process on a shared database: a counter per
-- tenant, bumped in the transaction of each change to a customer's subscriptions or overrides, or to alerts,
-- and the generation at which each subject last changed.
CREATE TABLE entitlement_generations (
    tenant_id  TEXT PRIMARY KEY,
    generation INTEGER NOT NULL
);
CREATE TABLE entitlement_changes (
    tenant_id  TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    generation INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, kind, subject)
);
CREATE INDEX entitlement_changes_since ON entitlement_changes (tenant_id, generation);

-- Seats beside usage (SQLite and PostgreSQL alike: TEXT and INTEGER, quantities as decimal TEXT, instants as
-- ISO-8601 TEXT). Each row is an immutable fact: from effective_at on, the subscription's quantity of the licensed
-- charge charge_key is quantity. Rows are never updated or deleted; sequence is the order they were recorded in.
CREATE TABLE subscription_quantities (
    id              TEXT    PRIMARY KEY,
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id),
    subscription_id TEXT    NOT NULL REFERENCES subscriptions (id),
    charge_key      TEXT    NOT NULL,
    sequence        INTEGER NOT NULL,
    quantity        TEXT    NOT NULL,
    effective_at    TEXT    NOT NULL,
    recorded_at     TEXT    NOT NULL,
    UNIQUE (tenant_id, subscription_id, sequence)
);

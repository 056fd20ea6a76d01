-- Customers that can be corrected: every change is a new version; archiving instead of deleting; a time zone
-- change takes effect from the next billing period (SQLite and PostgreSQL alike: TEXT and INTEGER, instants as
-- ISO-8601 TEXT).

ALTER TABLE customers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE customers ADD COLUMN updated_at TEXT;
ALTER TABLE customers ADD COLUMN archived_at TEXT;
-- a time zone change not yet in force: the zone and the instant it takes effect
ALTER TABLE customers ADD COLUMN pending_timezone TEXT;
ALTER TABLE customers ADD COLUMN timezone_effective_at TEXT;

-- Every version of every customer: what it was after the change, which fields changed, and when.
CREATE TABLE customer_versions (
    tenant_id      TEXT    NOT NULL REFERENCES tenants (id),
    external_id    TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    change_kind    TEXT    NOT NULL,
    changed_fields TEXT    NOT NULL,
    definition     TEXT    NOT NULL,
    changed_at     TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, external_id, version)
);
INSERT INTO customer_versions (tenant_id, external_id, version, change_kind, changed_fields, definition, changed_at)
    SELECT tenant_id, external_id, 1, 'created', '[]', definition, created_at FROM customers;

-- The time zones a customer's billing has been in, each from an instant on: a subscription's periods are computed
-- in the zone in force at its start.
CREATE TABLE customer_zones (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    external_id  TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    timezone     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, external_id, effective_at)
);

-- Event subjects that match no customer and were announced once (webhook type events.unknown_subject).
CREATE TABLE unknown_subject_notices (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    subject     TEXT NOT NULL,
    notified_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, subject)
);

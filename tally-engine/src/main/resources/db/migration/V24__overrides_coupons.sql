-- Per-subscription price overrides and coupons (SQLite and PostgreSQL alike: TEXT and INTEGER, decimals as TEXT,
-- instants as ISO-8601 TEXT).

-- Each version of a price override is a row that is never updated: a change, or the end of an override, is a new
-- version (see docs/DISCOUNTS.md). One override id per subscription and charge.
CREATE TABLE price_overrides (
    tenant_id       TEXT    NOT NULL,
    override_id     TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    subscription_id TEXT    NOT NULL,
    charge_key      TEXT    NOT NULL,
    effective_from  TEXT    NOT NULL,
    effective_to    TEXT,
    terms           TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, override_id, version),
    UNIQUE (tenant_id, subscription_id, charge_key, version)
);
CREATE INDEX price_overrides_subscription ON price_overrides (tenant_id, subscription_id);

-- A tenant's coupons. Only archived_at is ever set after creation.
CREATE TABLE coupons (
    tenant_id        TEXT    NOT NULL REFERENCES tenants (id),
    coupon_key       TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    percent_off      TEXT,
    amount_off       TEXT,
    currency         TEXT,
    duration         TEXT    NOT NULL,
    duration_periods INTEGER,
    applies_to       TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    archived_at      TEXT,
    PRIMARY KEY (tenant_id, coupon_key)
);

-- A coupon applied to a subscription from a start; only ended_at is ever set after creation (once).
CREATE TABLE coupon_redemptions (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    coupon_key      TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    start_at        TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    ended_at        TEXT,
    FOREIGN KEY (tenant_id, coupon_key) REFERENCES coupons (tenant_id, coupon_key)
);
CREATE INDEX coupon_redemptions_subscription ON coupon_redemptions (tenant_id, subscription_id, created_at);

-- Live credit balances: wallet balance alerts, their crossings, and features that require a positive balance
-- (SQLite and PostgreSQL alike: TEXT and INTEGER, amounts as decimal TEXT, instants as ISO-8601 TEXT).

-- A wallet.balance_low alert: one customer, or every customer on a plan now; thresholds are amounts (JSON array).
CREATE TABLE wallet_alerts (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    scope      TEXT NOT NULL,
    scope_id   TEXT NOT NULL,
    currency   TEXT,
    thresholds TEXT NOT NULL,
    name       TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX wallet_alerts_tenant ON wallet_alerts (tenant_id);

-- The crossings of each watched line (an alert's threshold for one wallet, or a wallet's zero): an append-only
-- list of 'fired' and 'rearmed' facts numbered per subject. The primary key makes each step happen once, whichever
-- process gets there first; the outbox message is recorded in the transaction that inserts a 'fired' row.
CREATE TABLE wallet_crossings (
    tenant_id TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    seq       INTEGER NOT NULL,
    state     TEXT    NOT NULL,
    value     TEXT    NOT NULL,
    at        TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, subject, seq)
);

-- A feature that requires a positive live balance in a wallet (mode hard, soft or grace).
CREATE TABLE balance_requirements (
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    feature        TEXT NOT NULL,
    currency       TEXT,
    mode           TEXT NOT NULL,
    grace_amount   TEXT NOT NULL,
    without_wallet TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, feature)
);

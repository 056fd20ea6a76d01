-- Recurring credit grants (SQLite and PostgreSQL alike). A plan's credit_grants rules grant credits at the start of
-- every period of a subscription; these tables make each grant, and each boundary's rollover, happen exactly once.

-- One row per recurring grant made: the primary key is the idempotency key (subscription, rule, period), so a second
-- process (or a run repeated after a crash) can never grant the same period twice.
CREATE TABLE credit_recurring_grants (
    tenant_id       TEXT    NOT NULL,
    subscription_id TEXT    NOT NULL,
    rule_index      INTEGER NOT NULL,
    period_start    TEXT    NOT NULL,
    period_end      TEXT    NOT NULL,
    grant_id        TEXT    NOT NULL REFERENCES credit_grants (id),
    rollover        TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, subscription_id, rule_index, period_start)
);
CREATE INDEX credit_recurring_grants_grant ON credit_recurring_grants (grant_id);

-- One row per subscription boundary whose rollover and new grants were written (in the same transaction).
CREATE TABLE credit_recurring_boundaries (
    tenant_id       TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    boundary_at     TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, subscription_id, boundary_at)
);

-- Automatic top-up of a wallet: when its live balance is below threshold, buy amount of credits at price (a paid
-- grant and its one-off invoice). armed is 1 until it fires and again once the balance is back at or above the
-- threshold; fired counts the top-ups bought, and names each one's idempotency key (auto-top-up:...:<fired>).
CREATE TABLE credit_auto_top_ups (
    tenant_id   TEXT    NOT NULL,
    customer_id TEXT    NOT NULL,
    currency    TEXT    NOT NULL,
    threshold   TEXT    NOT NULL,
    amount      TEXT    NOT NULL,
    price       TEXT    NOT NULL,
    priority    INTEGER NOT NULL,
    reason      TEXT    NOT NULL,
    armed       INTEGER NOT NULL,
    fired       INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, customer_id, currency),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, external_id)
);

-- Grants made in a custom credit unit ("credits" at 0.01 USD each): the grant itself is in money (units x rate,
-- exact), this row says which unit and rate it was granted in. All grants of one unit in one wallet share its rate.
CREATE TABLE credit_grant_units (
    grant_id    TEXT PRIMARY KEY REFERENCES credit_grants (id),
    tenant_id   TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    currency    TEXT NOT NULL,
    unit        TEXT NOT NULL,
    rate        TEXT NOT NULL,
    units       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX credit_grant_units_wallet ON credit_grant_units (tenant_id, customer_id, currency, unit);

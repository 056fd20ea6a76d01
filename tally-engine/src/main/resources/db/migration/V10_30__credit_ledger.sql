-- Credit ledger (SQLite and PostgreSQL alike: TEXT and INTEGER, amounts as decimal TEXT, instants as ISO-8601 TEXT).
-- A wallet is a customer's credits in one currency; its balance is the sum of its entries, never a stored counter.

CREATE TABLE credit_wallets (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    customer_id TEXT NOT NULL,
    currency    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, customer_id, currency),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, external_id)
);

-- A block of credits: what it may pay for and when. Never updated: its balance is the sum of its entries.
CREATE TABLE credit_grants (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT    NOT NULL,
    customer_id    TEXT    NOT NULL,
    currency       TEXT    NOT NULL,
    amount         TEXT    NOT NULL,
    priority       INTEGER NOT NULL,
    effective_from TEXT    NOT NULL,
    expires_at     TEXT,
    applies_to     TEXT    NOT NULL,
    funding        TEXT    NOT NULL,
    price          TEXT,
    reason         TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    FOREIGN KEY (tenant_id, customer_id, currency) REFERENCES credit_wallets (tenant_id, customer_id, currency)
);
CREATE INDEX credit_grants_wallet ON credit_grants (tenant_id, customer_id, currency, created_at);

-- The immutable entries, numbered per wallet. idempotency_key makes each automatic entry (an invoice's drawdown,
-- the credit of a negative invoice, an expiry, a reversal) exist at most once, even across processes.
CREATE TABLE credit_entries (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT    NOT NULL,
    customer_id     TEXT    NOT NULL,
    currency        TEXT    NOT NULL,
    sequence        INTEGER NOT NULL,
    grant_id        TEXT    NOT NULL REFERENCES credit_grants (id),
    kind            TEXT    NOT NULL,
    amount          TEXT    NOT NULL,
    at              TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    invoice_id      TEXT,
    reverses        TEXT,
    idempotency_key TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    UNIQUE (tenant_id, customer_id, currency, sequence),
    UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX credit_entries_invoice ON credit_entries (tenant_id, invoice_id);

-- What credits did to an invoice when it was finalized (JSON: one line per grant that paid, the credit a negative
-- total carried to the balance) and the amount left due; NULL while it is a draft.
ALTER TABLE invoices ADD COLUMN credits TEXT;
ALTER TABLE invoices ADD COLUMN amount_due TEXT;

-- Commitments on subscriptions (SQLite and PostgreSQL alike: TEXT and INTEGER, amounts as decimal TEXT, instants as
-- ISO-8601 TEXT). A commitment is never updated: a minimum per period, or a prepaid amount over a contract term whose
-- remainder is the sum of its entries (a ledger with the credit ledger's entry kinds), never a stored counter.

CREATE TABLE commitments (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    customer_id     TEXT NOT NULL,
    type            TEXT NOT NULL,
    name            TEXT NOT NULL,
    currency        TEXT NOT NULL,
    amount          TEXT NOT NULL,
    starts_at       TEXT NOT NULL,
    ends_at         TEXT,
    overage_rate    TEXT NOT NULL,
    at_term_end     TEXT NOT NULL,
    invoiced_at     TEXT,
    rolled_from     TEXT,
    source          TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX commitments_subscription ON commitments (tenant_id, subscription_id, starts_at);
-- at most one commitment rolled over from another, whichever process closes the term
CREATE UNIQUE INDEX commitments_rolled_from ON commitments (rolled_from);

-- The immutable entries of a prepaid commitment, numbered per commitment. idempotency_key makes each automatic entry
-- (an invoice's drawdown, its reversal, the end of the term) exist at most once, even across processes.
CREATE TABLE commitment_entries (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT    NOT NULL,
    commitment_id   TEXT    NOT NULL REFERENCES commitments (id),
    sequence        INTEGER NOT NULL,
    kind            TEXT    NOT NULL,
    amount          TEXT    NOT NULL,
    at              TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    invoice_id      TEXT,
    reverses        TEXT,
    idempotency_key TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    UNIQUE (commitment_id, sequence),
    UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX commitment_entries_invoice ON commitment_entries (tenant_id, invoice_id);

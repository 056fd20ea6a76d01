-- Dunning (issue 13): the tenant's policy, the log of dunning steps done, and customer suspensions.

-- One policy per tenant (JSON, see docs/PAYMENTS.md); a tenant without a row has dunning switched off.
CREATE TABLE dunning_policies (
    tenant_id  TEXT PRIMARY KEY REFERENCES tenants (id),
    policy     TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Every dunning step done for an invoice, inserted once and never changed. (tenant, invoice, step) is the step's
-- idempotency key: the unique constraint makes a step happen once across restarts and across processes sharing
-- one PostgreSQL database (the second insert of a step finds the first and does nothing).
CREATE TABLE dunning_steps (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    invoice_id  TEXT NOT NULL REFERENCES invoices (id),
    customer_id TEXT NOT NULL,
    step        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    due_at      TEXT NOT NULL,
    done_at     TEXT NOT NULL,
    detail      TEXT NOT NULL,
    UNIQUE (tenant_id, invoice_id, step)
);
CREATE INDEX dunning_steps_kind ON dunning_steps (tenant_id, kind);

-- Suspensions of a customer's entitlements, as facts: a 'suspended' row per cause (the invoice that was not paid)
-- and, when the cause is settled, one 'lifted' row. A customer is suspended while a cause has no 'lifted' row.
CREATE TABLE customer_suspensions (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    customer_id TEXT NOT NULL,
    cause       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    mode        TEXT NOT NULL,
    at          TEXT NOT NULL,
    hard_from   TEXT,
    UNIQUE (tenant_id, customer_id, cause, kind)
);
CREATE INDEX customer_suspensions_customer ON customer_suspensions (tenant_id, customer_id);

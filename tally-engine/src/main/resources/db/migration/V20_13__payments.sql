-- The payment ledger: immutable facts about an invoice's money (a payment attempt, its success or failure, a refund,
-- a dispute). Rows are only ever inserted. (tenant, provider, reference) identifies a fact, so a retried record is
-- the same fact.
CREATE TABLE payment_facts (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    invoice_id  TEXT NOT NULL REFERENCES invoices (id),
    kind        TEXT NOT NULL,
    amount      TEXT NOT NULL,
    currency    TEXT NOT NULL,
    provider    TEXT NOT NULL,
    reference   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (tenant_id, provider, reference)
);
CREATE INDEX payment_facts_invoice ON payment_facts (tenant_id, invoice_id);

-- A derived view of the ledger per invoice (recomputed from all its facts in the transaction that adds one), so
-- listings can filter by payment status. Never the source of truth; an invoice without a row is pending.
CREATE TABLE invoice_payment_status (
    invoice_id      TEXT PRIMARY KEY REFERENCES invoices (id),
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    status          TEXT NOT NULL,
    amount_paid     TEXT NOT NULL,
    amount_refunded TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX invoice_payment_status_by_status ON invoice_payment_status (tenant_id, status);

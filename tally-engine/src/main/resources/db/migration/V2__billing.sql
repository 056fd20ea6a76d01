CREATE TABLE billing_settings (
    tenant_id            TEXT PRIMARY KEY REFERENCES tenants (id),
    grace_period_seconds INTEGER NOT NULL
);

CREATE TABLE customers (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    external_id TEXT NOT NULL,
    definition  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, external_id)
);

CREATE TABLE plans (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    plan_key   TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    definition TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, plan_key, version)
);

CREATE TABLE subscriptions (
    id                  TEXT PRIMARY KEY,
    tenant_id           TEXT NOT NULL REFERENCES tenants (id),
    customer_id         TEXT NOT NULL,
    anchor              TEXT NOT NULL,
    start_at            TEXT NOT NULL,
    trial_end_at        TEXT,
    end_at              TEXT,
    phases              TEXT NOT NULL,
    next_boundary_at    TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, external_id)
);
CREATE INDEX subscriptions_due ON subscriptions (tenant_id, next_boundary_at);
CREATE INDEX subscriptions_customer ON subscriptions (tenant_id, customer_id);

CREATE TABLE invoices (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    number          TEXT,
    customer_id     TEXT NOT NULL,
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    boundary_at     TEXT NOT NULL,
    period_start    TEXT NOT NULL,
    period_end      TEXT NOT NULL,
    status          TEXT NOT NULL,
    currency        TEXT NOT NULL,
    subtotal        TEXT NOT NULL,
    tax             TEXT NOT NULL,
    total           TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    finalize_after  TEXT NOT NULL,
    finalized_at    TEXT,
    paid_at         TEXT,
    voided_at       TEXT,
    UNIQUE (tenant_id, subscription_id, boundary_at),
    UNIQUE (tenant_id, number)
);
CREATE INDEX invoices_customer ON invoices (tenant_id, customer_id);
CREATE INDEX invoices_status ON invoices (tenant_id, status);

CREATE TABLE document_counters (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    kind      TEXT NOT NULL,
    last      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, kind)
);

CREATE TABLE credit_notes (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    number     TEXT NOT NULL,
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    reason     TEXT NOT NULL,
    currency   TEXT NOT NULL,
    total      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, number)
);
CREATE INDEX credit_notes_invoice ON credit_notes (invoice_id);

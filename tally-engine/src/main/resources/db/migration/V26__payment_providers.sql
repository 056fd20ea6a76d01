-- Remote payment providers (Stripe): one connected account per tenant and provider, its credentials sealed with the
-- secrets key (never in clear); the provider's customer linked to each Tally customer; the push queue of finalized
-- invoices (an outbox read by the provider's scheduler step, never by billing runs or ingest); the provider objects
-- known to belong to a Tally invoice; and the provider events already applied (dedup by event id).
CREATE TABLE provider_accounts (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    provider     TEXT NOT NULL,
    credentials  TEXT NOT NULL,
    hint         TEXT NOT NULL,
    connected_at TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, provider)
);

CREATE TABLE provider_customers (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    provider    TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    remote_id   TEXT NOT NULL,
    linked_by   TEXT NOT NULL,
    linked_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, provider, customer_id)
);

CREATE TABLE provider_pushes (
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    provider        TEXT NOT NULL,
    invoice_id      TEXT NOT NULL REFERENCES invoices (id),
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_ms BIGINT NOT NULL,
    remote_id       TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, provider, invoice_id)
);
CREATE INDEX provider_pushes_due ON provider_pushes (provider, state, next_attempt_ms);

CREATE TABLE provider_objects (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    provider   TEXT NOT NULL,
    remote_id  TEXT NOT NULL,
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    PRIMARY KEY (tenant_id, provider, remote_id)
);

CREATE TABLE provider_events (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    provider    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    type        TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, provider, event_id)
);

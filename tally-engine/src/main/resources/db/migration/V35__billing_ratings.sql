-- Billing runs re-rate only what changed (docs/BILLING.md, "How runs scale and what triggers a re-rate").
-- rating: the inputs a draft was last rated from (NULL: never, or reset: rate it again);
-- rating_valid_until: when the clock alone can change its composition (the look-back passing an earlier invoice,
-- a pending time zone taking effect); NULL: nothing clock-dependent.
ALTER TABLE invoices ADD COLUMN rating TEXT;
ALTER TABLE invoices ADD COLUMN rating_valid_until TEXT;

-- One counter per (tenant, customer) that every change of a billing input of that customer moves (kept by the
-- triggers of the vendor migration V35_1, so no write path can forget it); customer_id '' counts tenant-wide inputs
-- (plans, meters, coupons, billing settings).
CREATE TABLE billing_input_versions (
    tenant_id   TEXT   NOT NULL,
    customer_id TEXT   NOT NULL,
    version     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, customer_id)
);

-- the runs page through open drafts and due subscriptions by key
CREATE INDEX invoices_drafts_by_key ON invoices (tenant_id, status, boundary_at, id);
CREATE INDEX subscriptions_due_by_key ON subscriptions (tenant_id, next_boundary_at, id);

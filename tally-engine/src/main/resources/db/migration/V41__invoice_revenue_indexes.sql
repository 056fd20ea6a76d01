-- The revenue overview (dev.tally.engine.revenue): a sweep of the invoice rows changed since its last run, and the
-- invoices finalized since a horizon, read without visiting every invoice of the tenant.
CREATE INDEX invoices_updated ON invoices (updated_at);
CREATE INDEX invoices_finalized ON invoices (tenant_id, finalized_at);

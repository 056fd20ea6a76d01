-- Daily exports per tenant (docs/EXPORTS.md): the schedule as JSON without secrets, the S3 secret sealed with the
-- secrets key (SecretBox, record export_schedules/<tenant>), and the last day exported.
CREATE TABLE export_schedules (
    tenant_id TEXT PRIMARY KEY,
    config TEXT NOT NULL,
    credentials TEXT,
    last_day TEXT,
    updated_at TEXT NOT NULL
);

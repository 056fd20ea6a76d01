CREATE TABLE tenant_settings (
    tenant_id  TEXT PRIMARY KEY REFERENCES tenants (id),
    definition TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

ALTER TABLE invoices ADD COLUMN due_date TEXT;

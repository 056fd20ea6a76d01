CREATE TABLE tenants (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    prefix     TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE meters (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id),
    meter_key  TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    definition TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, meter_key, version)
);

CREATE TABLE meter_generations (
    tenant_id  TEXT PRIMARY KEY REFERENCES tenants (id),
    generation INTEGER NOT NULL
);

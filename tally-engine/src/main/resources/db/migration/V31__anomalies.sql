-- Anomaly and fraud detection (docs/ANOMALIES.md). One row per incident: opened once when a signal first fires,
-- refreshed while it lasts (last_seen_at, the worst observed figure), closed (window_end) when it has been quiet;
-- status is the operator's review (open, acknowledged, dismissed). At most one active (window_end IS NULL)
-- incident per identity (kind, customer, meter, source or key), also across processes.
CREATE TABLE anomalies (
    tenant_id       TEXT NOT NULL,
    id              TEXT NOT NULL,
    kind            TEXT NOT NULL,
    incident_key    TEXT NOT NULL,
    customer        TEXT,
    meter           TEXT,
    subject         TEXT,
    window_start    TEXT NOT NULL,
    window_end      TEXT,
    observed        TEXT NOT NULL,
    expected        TEXT NOT NULL,
    score           TEXT NOT NULL,
    method          TEXT NOT NULL,
    hold            TEXT NOT NULL,
    status          TEXT NOT NULL,
    detected_ms     BIGINT NOT NULL,
    detected_at     TEXT NOT NULL,
    last_seen_at    TEXT NOT NULL,
    reviewed_at     TEXT,
    reviewed_by     TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX anomalies_one_active ON anomalies (tenant_id, incident_key) WHERE window_end IS NULL;
CREATE INDEX anomalies_time ON anomalies (tenant_id, detected_ms, id);
CREATE INDEX anomalies_hold ON anomalies (tenant_id, customer, status);
-- Each tenant's detection policy (thresholds and the hold), as JSON; absent means the defaults.
CREATE TABLE anomaly_policies (
    tenant_id  TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- What detection has learned is normal, so a restart loses nothing: the sources a tenant sends from, the customers
-- each API key sent for, and when the tenant's learning began (kind 'learning').
CREATE TABLE anomaly_known (
    tenant_id     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    member        TEXT NOT NULL,
    first_seen_ms BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, kind, name, member)
);

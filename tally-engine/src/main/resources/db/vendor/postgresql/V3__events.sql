-- Raw events and corrections when PostgreSQL is the event store. seq is the log position: writers take
-- an advisory lock for their transaction, so seq order is commit order and readers can tail by seq.
CREATE TABLE events (
    seq        BIGSERIAL PRIMARY KEY,
    tenant_id  TEXT     NOT NULL,
    source     TEXT     NOT NULL,
    event_id   TEXT     NOT NULL,
    kind       SMALLINT NOT NULL,
    record     BYTEA    NOT NULL
);
-- The exact, shared duplicate decision: one event per tenant, source and id, ever.
CREATE UNIQUE INDEX events_identity ON events (tenant_id, source, event_id) WHERE kind = 1;

CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);

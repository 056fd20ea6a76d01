-- Bounded state on PostgreSQL (see docs/OPERATIONS.md, "Event partitions and retention on PostgreSQL").
--
-- events becomes a table partitioned by RANGE on event_time, one partition per calendar month (UTC), named
-- events_pYYYY_MM, plus events_default so an insert never fails. The engine creates months ahead and, when a
-- retention is configured, detaches old months, archives them to the object store and drops them: never a
-- DELETE of live rows. seq stays the log position (the same sequence, in commit order under the writer
-- advisory lock); readers still tail by seq > ?. The primary key is (seq, event_time): PostgreSQL wants the
-- partition key in every unique index.
--
-- The exact duplicate decision moves to event_ids, partitioned by the day the id arrived, in spans as long as the
-- dedup window (event_ids_pYYYY_MM_DD, named by a span's first day, plus event_ids_default). Writers check the whole table and insert under the writer advisory lock, so the
-- decision stays exact across processes; spans that ended before now minus the dedup window are dropped (an event re-sent after
-- that is older than the backdating window, so it is refused as too old and never counted twice).
-- One cancel per event moves to event_cancels (small; kept).

-- What a record holds (see dev.tally.engine.ingest.LogRecord): kind byte, tenant, source, id (int-length UTF-8
-- strings); an event then has type, subject, time (epoch second + nano), receipt time; a cancel has the target's
-- position and the cancel time.
CREATE FUNCTION tally_record_times(r BYTEA, OUT event_time TIMESTAMPTZ, OUT received_at TIMESTAMPTZ,
        OUT target BIGINT) AS $$
DECLARE
    p INTEGER := 1;
    n INTEGER;
    strings INTEGER := CASE WHEN get_byte(r, 0) = 1 THEN 5 ELSE 3 END;
BEGIN
    FOR i IN 1..strings LOOP
        n := ('x' || encode(substring(r FROM p + 1 FOR 4), 'hex'))::bit(32)::INTEGER;
        p := p + 4 + n;
    END LOOP;
    IF get_byte(r, 0) = 1 THEN
        event_time := 'epoch'::TIMESTAMPTZ
                + ('x' || encode(substring(r FROM p + 1 FOR 8), 'hex'))::bit(64)::BIGINT * INTERVAL '1 second'
                + (('x' || encode(substring(r FROM p + 9 FOR 4), 'hex'))::bit(32)::INTEGER / 1000)
                        * INTERVAL '1 microsecond';
        received_at := 'epoch'::TIMESTAMPTZ
                + ('x' || encode(substring(r FROM p + 13 FOR 8), 'hex'))::bit(64)::BIGINT * INTERVAL '1 second';
    ELSE
        target := ('x' || encode(substring(r FROM p + 1 FOR 8), 'hex'))::bit(64)::BIGINT;
        event_time := 'epoch'::TIMESTAMPTZ
                + ('x' || encode(substring(r FROM p + 9 FOR 8), 'hex'))::bit(64)::BIGINT * INTERVAL '1 second';
        received_at := event_time;
    END IF;
END;
$$ LANGUAGE plpgsql IMMUTABLE STRICT;

ALTER TABLE events RENAME TO events_unpartitioned;
ALTER INDEX events_identity RENAME TO events_unpartitioned_identity;
ALTER INDEX events_one_cancel RENAME TO events_unpartitioned_one_cancel;
ALTER TABLE events_unpartitioned RENAME CONSTRAINT events_pkey TO events_unpartitioned_pkey;
ALTER SEQUENCE events_seq_seq OWNED BY NONE;

CREATE TABLE events (
    seq        BIGINT      NOT NULL DEFAULT nextval('events_seq_seq'),
    tenant_id  TEXT        NOT NULL,
    source     TEXT        NOT NULL,
    event_id   TEXT        NOT NULL,
    kind       SMALLINT    NOT NULL,
    record     BYTEA       NOT NULL,
    -- the event's time (a cancel: its target's time, so a cancel lives with what it cancels)
    event_time TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (seq, event_time)
) PARTITION BY RANGE (event_time);
ALTER SEQUENCE events_seq_seq OWNED BY events.seq;
-- positionOf (a cancel names its event by identity); no longer unique, event_ids decides duplicates
CREATE INDEX events_identity ON events (tenant_id, source, event_id) WHERE kind = 1;
CREATE TABLE events_default PARTITION OF events DEFAULT;

CREATE TABLE event_ids (
    tenant_id   TEXT NOT NULL,
    source      TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    arrival_day DATE NOT NULL,
    PRIMARY KEY (tenant_id, source, event_id, arrival_day)
) PARTITION BY RANGE (arrival_day);
CREATE TABLE event_ids_default PARTITION OF event_ids DEFAULT;

CREATE TABLE event_cancels (
    tenant_id TEXT NOT NULL,
    source    TEXT NOT NULL,
    event_id  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, source, event_id)
);

-- Months archived (or being archived) by the retention job; see dev.tally.engine.eventpartitions.
CREATE TABLE archived_event_partitions (
    partition_name TEXT        PRIMARY KEY,
    range_from     TIMESTAMPTZ NOT NULL,
    range_to       TIMESTAMPTZ NOT NULL,
    -- detached: the table partition_name holds the rows, outside events; archived: the object holds them
    state          TEXT        NOT NULL CHECK (state IN ('detached', 'archived')),
    object_key     TEXT        NOT NULL,
    sha256         TEXT,
    row_count      BIGINT,
    min_seq        BIGINT,
    max_seq        BIGINT,
    archived_at    TIMESTAMPTZ
);

-- The data migration: a partition for every month the old table holds, then the rows. The ids go to
-- event_ids_default; the engine moves them into their partitions when it creates those (EventPartitions).
CREATE TEMP TABLE migrating_times ON COMMIT DROP AS
    SELECT e.seq, t.event_time, t.received_at, t.target
    FROM events_unpartitioned e, LATERAL tally_record_times(e.record) t;
DO $$
DECLARE
    m TIMESTAMPTZ;
BEGIN
    FOR m IN SELECT DISTINCT date_trunc('month', event_time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
            FROM migrating_times LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)',
                'events_p' || to_char(m AT TIME ZONE 'UTC', 'YYYY_MM'), m, m + INTERVAL '1 month');
    END LOOP;
END;
$$;
INSERT INTO events (seq, tenant_id, source, event_id, kind, record, event_time)
    SELECT e.seq, e.tenant_id, e.source, e.event_id, e.kind, e.record,
           CASE WHEN e.kind = 2 THEN coalesce(tt.event_time, t.event_time) ELSE t.event_time END
    FROM events_unpartitioned e
    JOIN migrating_times t ON t.seq = e.seq
    LEFT JOIN migrating_times tt ON e.kind = 2 AND tt.seq = t.target;
INSERT INTO event_ids (tenant_id, source, event_id, arrival_day)
    SELECT e.tenant_id, e.source, e.event_id, (t.received_at AT TIME ZONE 'UTC')::DATE
    FROM events_unpartitioned e JOIN migrating_times t ON t.seq = e.seq WHERE e.kind = 1;
INSERT INTO event_cancels (tenant_id, source, event_id)
    SELECT tenant_id, source, event_id FROM events_unpartitioned WHERE kind = 2;
DROP TABLE events_unpartitioned;

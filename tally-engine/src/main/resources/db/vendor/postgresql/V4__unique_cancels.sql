-- One cancel per event, ever: processes racing to cancel the same event decide it here.
CREATE UNIQUE INDEX events_one_cancel ON events (tenant_id, source, event_id) WHERE kind = 2;

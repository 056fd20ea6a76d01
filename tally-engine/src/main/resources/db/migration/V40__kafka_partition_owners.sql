-- Kafka partition-owned mode (tally-kafka, dev.tally.kafka.owned): which worker owns each partition of the
-- events topic now, and where it answers questions about that partition's customers (its internal HTTP
-- address). A new owner claims a row by raising its generation; the old owner removes the row only while it
-- still holds it. API nodes read it to forward usage questions. Configuration, not events: unused unless the
-- mode runs.
CREATE TABLE kafka_partition_owners (
    topic       TEXT    NOT NULL,
    partition   INTEGER NOT NULL,
    owner       TEXT    NOT NULL,
    address     TEXT    NOT NULL,
    generation  BIGINT  NOT NULL,
    claimed_at  BIGINT  NOT NULL,
    PRIMARY KEY (topic, partition)
);

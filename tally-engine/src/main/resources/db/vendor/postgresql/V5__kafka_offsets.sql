-- Kafka scale-out (tally-kafka): how far the workers have stored each partition of the events topic.
-- A worker writes a partition's next offset in the same transaction as the events read before it, so
-- "next_offset = N" means every record below N is stored (or was a duplicate); after a crash or a
-- rebalance the partition's new owner resumes from here. Unused unless the Kafka mode runs.
CREATE TABLE kafka_offsets (
    topic       TEXT    NOT NULL,
    partition   INTEGER NOT NULL,
    next_offset BIGINT  NOT NULL,
    PRIMARY KEY (topic, partition)
);

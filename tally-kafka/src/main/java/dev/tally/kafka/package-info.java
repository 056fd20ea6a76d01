/**
 * Kafka scale-out: API nodes ({@link dev.tally.kafka.KafkaEventStore} under an ordinary engine) append
 * validated events to a topic partitioned by customer and acknowledge once Kafka has them (acks=all,
 * idempotent producer); workers ({@link dev.tally.kafka.KafkaWorker}) own partitions through a consumer
 * group and store each poll's events in PostgreSQL in one transaction with the partitions' next offsets,
 * so the unique index decides duplicates exactly and a crash or rebalance replays only uncommitted work.
 * Every node applies aggregates by tailing PostgreSQL; {@code awaitAcknowledged} makes a query wait until
 * the workers have stored everything acknowledged before it. This is the PostgreSQL-events mode; the
 * partition-owned mode, where each partition's events and aggregates live only on its owner, is
 * {@link dev.tally.kafka.owned}. See docs/SCALING.md.
 */
package dev.tally.kafka;

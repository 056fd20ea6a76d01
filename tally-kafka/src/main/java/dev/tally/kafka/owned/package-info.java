/**
 * The partition-owned Kafka mode: every partition of the events topic is owned by one worker at a time, which
 * runs for it the single-process engine over a store of that partition alone (the embedded segment log and dedup
 * index in a directory of its own, configuration and money from PostgreSQL), fed from the topic. The partition's
 * progress (the next topic offset) is a record in that log, appended in the same group commit as the events it
 * covers, so state and progress are durable together; nothing on the write path is shared between partitions.
 * A partition that moves is restored by its new owner from the latest snapshot its previous owner published to
 * an {@link dev.tally.engine.objectstore.ObjectStore} plus a replay of the topic from the snapshot's offset, with
 * repeats dropped by the partition's own dedup index. See docs/SCALING.md.
 */
package dev.tally.kafka.owned;

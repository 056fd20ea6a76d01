/**
 * Incremental checkpoints of the embedded store's derived state (usage aggregates and the duplicate index): a full
 * base, then delta files holding only what changed since the previous checkpoint, chained by a manifest, compacted
 * into a new base off the writer thread. A restart loads the chain and replays the log from its position.
 * {@link dev.tally.engine.checkpoint.CheckpointStore} is the facade; the log, not a checkpoint, is the truth.
 */
package dev.tally.engine.checkpoint;

/**
 * The ingest path: events of many requests are deduplicated, encoded and
 * appended to the log in one group commit by a single writer thread, then
 * applied to the in-memory usage aggregates before any request is answered.
 * Corrections (cancels) and meter changes run on the same thread, so every
 * change to derived state is serialized with the log.
 */
package dev.tally.engine.ingest;

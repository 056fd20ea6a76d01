/**
 * The engine: {@link dev.tally.engine.Engine} opens a data directory (event
 * log, metadata database), replays the log into the dedup index and the usage
 * aggregates, and serves ingest, corrections, event listing, usage queries,
 * meters and reconciliation to any transport.
 */
package dev.tally.engine;

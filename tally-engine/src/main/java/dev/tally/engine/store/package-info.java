/**
 * The metadata store: tenants, API keys and meter versions, in SQLite on the
 * embedded store (one file in the data directory, WAL, synchronous=FULL,
 * schema by Flyway migrations). Small, transactional and read mostly; events
 * never go here (they go to the log).
 */
package dev.tally.engine.store;

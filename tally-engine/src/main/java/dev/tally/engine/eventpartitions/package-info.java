/**
 * Bounded event state on PostgreSQL: the {@code events} table is partitioned by month of event time and the exact
 * duplicate decision lives in {@code event_ids}, partitioned by arrival day. {@link
 * dev.tally.engine.eventpartitions.EventPartitions} creates partitions ahead and drops id days past the dedup
 * window; {@link dev.tally.engine.eventpartitions.PartitionRetention} moves months older than the retention and the
 * {@link dev.tally.engine.eventpartitions.RetentionFloor} out of the database (detach, export to an object store with
 * a checksum, verify, catalog, drop; never a {@code DELETE} of live rows); {@link
 * dev.tally.engine.eventpartitions.ArchivedEvents} reads archived months back so scans by position (rebuilds,
 * reconciliation, listing) see the whole log. Everything here is PostgreSQL-only.
 */
package dev.tally.engine.eventpartitions;

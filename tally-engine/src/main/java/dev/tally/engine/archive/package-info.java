/**
 * Retention and archival of the embedded store's event log. Closed segments are compressed with zstd in blocks with
 * a block index ({@code segment-N.zlog}), so a read at any position decompresses one block; past the retention
 * horizon ({@link dev.tally.engine.archive.RetentionHorizon}: local retention, the backdating and dedup windows,
 * open invoice periods and a clean reconciliation recorded by {@link dev.tally.engine.archive.ReconcileWatermark})
 * the {@link dev.tally.engine.archive.Archiver} uploads them to an {@link dev.tally.engine.objectstore.ObjectStore}
 * (a directory or S3), verifies and records them, and removes them locally.
 * {@link dev.tally.engine.archive.LogArchive} is the log's {@link dev.tally.engine.log.SealedSegments}: every
 * reader (scans, reads by position, the duplicate index's verification, reconciliation, rebuilds) reads compressed
 * and archived segments transparently, fetching archived ones back into a small verified cache.
 */
package dev.tally.engine.archive;

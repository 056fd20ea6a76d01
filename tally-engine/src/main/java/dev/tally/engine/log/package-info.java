/**
 * The durable raw-event log and the exact duplicate index. {@link dev.tally.engine.log.SegmentLog}
 * stores opaque byte records in append-only segment files (length, CRC32C, payload per record),
 * appends a whole batch with one write and one fsync, truncates a torn tail on open and never
 * rewrites or deletes a record; sealed segments may be read through other copies of their bytes
 * ({@link dev.tally.engine.log.SealedSegments}: compressed, archived). {@link dev.tally.engine.log.DedupIndex} keeps the fingerprints of
 * event identities for the dedup window ({@link dev.tally.engine.log.DedupSettings}): a
 * {@link dev.tally.engine.log.FingerprintIndex} in primitive arrays up to a heap budget, then
 * immutable memory-mapped slice files (sorted pairs behind a Bloom filter), merged in the background
 * and deleted once they leave the window; a duplicate decision is exact because every candidate is
 * verified against the record stored at its position.
 */
package dev.tally.engine.log;

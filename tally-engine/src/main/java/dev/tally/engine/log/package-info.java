/**
 * The durable raw-event log and the exact duplicate index. {@link dev.tally.engine.log.SegmentLog}
 * stores opaque byte records in append-only segment files (length, CRC32C, payload per record),
 * appends a whole batch with one write and one fsync, truncates a torn tail on open and never
 * rewrites or deletes a record. {@link dev.tally.engine.log.FingerprintIndex} maps 64-bit
 * fingerprints of event identities to log positions in primitive arrays; a duplicate decision is
 * exact because every candidate is verified against the record stored at its position.
 */
package dev.tally.engine.log;

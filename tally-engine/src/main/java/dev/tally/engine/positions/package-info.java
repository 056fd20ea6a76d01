/**
 * The embedded log's per-segment position index: for every sealed log segment one small immutable file
 * ({@code positions/segment-N.pidx}) mapping each (tenant, customer) to the (hour, position) pairs of its events
 * in that segment, sorted, with the segment's hour range in its header. {@link dev.tally.engine.positions.SegmentPositions}
 * builds the file of each sealed segment from the segment's records (written to a temporary file, fsynced,
 * renamed), memory-maps it, verifies its checksum, rebuilds it when it is missing or damaged, and answers
 * {@link dev.tally.engine.usage.SealedPositions} from the files, so the usage store keeps in heap only the positions of
 * the open segment. The files stay local when a segment is archived; one that must be rebuilt reads its segment
 * back through the log (and so through the archive).
 */
package dev.tally.engine.positions;

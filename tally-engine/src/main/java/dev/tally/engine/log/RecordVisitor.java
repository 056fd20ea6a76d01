package dev.tally.engine.log;

/**
 * Receives records from {@link SegmentLog#scan(long, RecordVisitor)} in log order.
 *
 * <p>Each call gets a freshly allocated payload array that the visitor may keep.
 */
@FunctionalInterface
public interface RecordVisitor {

  /**
   * Visits one record.
   *
   * @param position the record's encoded {@link LogPosition}
   * @param payload the record's bytes, verified against their CRC32C
   * @return {@code true} to continue with the next record, {@code false} to stop the scan
   */
  boolean visit(long position, byte[] payload);
}

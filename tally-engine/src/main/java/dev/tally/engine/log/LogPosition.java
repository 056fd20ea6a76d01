package dev.tally.engine.log;

/**
 * A place in a {@link SegmentLog}: a segment number and the byte offset of a record's frame within
 * that segment's file. The encoded form is a single non-negative {@code long},
 * {@code (segment << 40) | offset}, and its natural order is log order.
 *
 * <p>Segment numbers start at 1; segment 0 is allowed only as "before the first segment", so
 * {@code 0L} is a valid scan start meaning "from the beginning".
 *
 * @param segment the segment number, {@code 0..MAX_SEGMENT}
 * @param offset the byte offset within the segment, {@code 0..MAX_OFFSET}
 */
public record LogPosition(int segment, long offset) implements Comparable<LogPosition> {

  /** Number of low bits of the encoded form that hold the offset. */
  public static final int OFFSET_BITS = 40;

  /** Largest offset within a segment (1 TiB - 1). */
  public static final long MAX_OFFSET = (1L << OFFSET_BITS) - 1;

  /** Largest segment number that keeps the encoded form non-negative. */
  public static final int MAX_SEGMENT = (1 << (63 - OFFSET_BITS)) - 1;

  /** Encoded position of the first record of segment 1. */
  public static final long START = 1L << OFFSET_BITS;

  /** Validates the components. */
  public LogPosition {
    if (segment < 0 || segment > MAX_SEGMENT) {
      throw new IllegalArgumentException("segment out of range 0.." + MAX_SEGMENT + ": " + segment);
    }
    if (offset < 0 || offset > MAX_OFFSET) {
      throw new IllegalArgumentException("offset out of range 0.." + MAX_OFFSET + ": " + offset);
    }
  }

  /**
   * Decodes an encoded position.
   *
   * @throws IllegalArgumentException if {@code encoded} is negative
   */
  public static LogPosition of(long encoded) {
    if (encoded < 0) {
      throw new IllegalArgumentException("encoded log position must not be negative: " + encoded);
    }
    return new LogPosition((int) (encoded >>> OFFSET_BITS), encoded & MAX_OFFSET);
  }

  /** The encoded form, {@code (segment << 40) | offset}. */
  public long encoded() {
    return encode(segment, offset);
  }

  @Override
  public int compareTo(LogPosition other) {
    return Long.compare(encoded(), other.encoded());
  }

  @Override
  public String toString() {
    return segment + ":" + offset;
  }

  static long encode(int segment, long offset) {
    return ((long) segment << OFFSET_BITS) | offset;
  }

  static int segmentOf(long encoded) {
    return (int) (encoded >>> OFFSET_BITS);
  }

  static long offsetOf(long encoded) {
    return encoded & MAX_OFFSET;
  }
}

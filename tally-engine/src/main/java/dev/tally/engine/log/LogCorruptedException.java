package dev.tally.engine.log;

/**
 * Committed bytes of a {@link SegmentLog} failed verification: a CRC32C mismatch or an impossible
 * record length inside the committed part of a segment. Thrown by {@code read} and {@code scan}; it
 * is never silently skipped. (A torn tail of the last segment found at open is not corruption: it
 * is truncated, because it was never acknowledged.) Reading at a position that is not the start of
 * a record can also end here, since the bytes there do not verify as a record.
 */
public final class LogCorruptedException extends LogReadException {

  private static final long serialVersionUID = 1L;

  private final long position;

  /**
   * Creates the exception.
   *
   * @param message what failed, for operators
   * @param position the encoded {@link LogPosition} of the frame that failed verification
   */
  public LogCorruptedException(String message, long position) {
    super(message);
    this.position = position;
  }

  /** The encoded {@link LogPosition} of the frame that failed verification. */
  public long position() {
    return position;
  }
}

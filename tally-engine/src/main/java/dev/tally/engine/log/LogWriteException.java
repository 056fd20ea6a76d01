package dev.tally.engine.log;

/**
 * An append to a {@link SegmentLog} failed. When this is thrown by {@code append}, none of the
 * batch's records is visible to readers, none will be returned by a later scan of this process,
 * and the caller must treat the whole batch as not stored (and not acknowledge it). If the log
 * could not restore its file after the failure, {@link SegmentLog#healthy()} turns {@code false}
 * and every later append fails with this exception at once.
 */
public final class LogWriteException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message for operators. */
  public LogWriteException(String message) {
    super(message);
  }

  /** Creates the exception with a message for operators and the underlying cause. */
  public LogWriteException(String message, Throwable cause) {
    super(message, cause);
  }
}

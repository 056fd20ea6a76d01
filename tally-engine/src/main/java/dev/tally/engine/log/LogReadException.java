package dev.tally.engine.log;

/**
 * A read or scan of a {@link SegmentLog} could not return a record: the position does not name a
 * committed record of this log, the log was closed, or the file could not be read. The subclass
 * {@link LogCorruptedException} means that stored bytes failed verification.
 */
public class LogReadException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message for operators. */
  public LogReadException(String message) {
    super(message);
  }

  /** Creates the exception with a message for operators and the underlying cause. */
  public LogReadException(String message, Throwable cause) {
    super(message, cause);
  }
}

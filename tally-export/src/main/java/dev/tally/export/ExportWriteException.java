package dev.tally.export;

/** An export could not be written to its destination stream (a client went away, a disk filled). */
public final class ExportWriteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ExportWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}

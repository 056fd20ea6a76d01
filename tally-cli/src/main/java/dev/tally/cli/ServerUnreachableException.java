package dev.tally.cli;

/** The server could not be reached (connection refused, reset or timed out) even after retries. */
final class ServerUnreachableException extends CliFailureException {
    ServerUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}

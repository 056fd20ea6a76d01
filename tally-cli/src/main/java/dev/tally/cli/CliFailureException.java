package dev.tally.cli;

/**
 * A command failed for a reason the user can act on (no API key, server
 * unreachable, request refused). {@link Main} prints the message, without a
 * stack trace, and exits with status 1.
 */
class CliFailureException extends RuntimeException {
    CliFailureException(String message) {
        super(message);
    }

    CliFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}

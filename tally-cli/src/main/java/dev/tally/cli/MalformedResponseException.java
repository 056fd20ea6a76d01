package dev.tally.cli;

/** The server's response does not have the shape the API fixes. */
final class MalformedResponseException extends CliFailureException {
    MalformedResponseException(String message) {
        super(message);
    }
}

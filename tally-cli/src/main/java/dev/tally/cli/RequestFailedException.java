package dev.tally.cli;

/** The server answered a request with an error status the command cannot work around. */
final class RequestFailedException extends CliFailureException {
    private final int status;

    RequestFailedException(String message, int status) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}

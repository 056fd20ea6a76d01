package dev.tally.cli;

/** No API key was given on the command line, in the environment or in the data directory. */
final class MissingApiKeyException extends CliFailureException {
    MissingApiKeyException(String message) {
        super(message);
    }
}

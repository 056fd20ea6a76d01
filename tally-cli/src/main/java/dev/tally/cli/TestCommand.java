package dev.tally.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code tally test}: listed so that {@code tally --help} names every command, but run by the {@code ./tally}
 * launcher in a checkout (it needs the sources and Maven, not this program), which never reaches this class.
 */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = "Run the whole test suite (./tally test in a checkout runs ./mvnw -B verify; extra arguments go to Maven).")
final class TestCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new CliFailureException("the test suite is run by the launcher in a checkout of Tally: ./tally test");
    }
}

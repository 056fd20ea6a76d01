package dev.tally.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code tally} command: {@code serve}, {@code ingest}, {@code bench},
 * {@code reconcile}, {@code keys} and (run by the launcher) {@code test}.
 * Without a command, or with an unknown one, it says so and lists every
 * command. Exit status: 0 success, 1 failure, 2 reconciliation found
 * differences, 64 bad command line.
 */
@Command(name = "tally", mixinStandardHelpOptions = true, version = "tally 0.1.0",
        description = "Tally usage-based billing engine: run the server, load events, benchmark, reconcile.",
        subcommands = {ServeCommand.class, IngestCommand.class, BenchCommand.class, ReconcileCommand.class, StorageCommand.class, KeysCommand.class,
                TestCommand.class, ExportCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit status for a command line that could not be parsed. */
    static final int USAGE = 64;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw missingCommand(spec);
    }

    /** A command that needs a subcommand was given none: {@link #commandLine} prints it with the list of commands. */
    static ParameterException missingCommand(CommandSpec spec) {
        return new MissingCommandException(spec.commandLine());
    }

    private static final class MissingCommandException extends ParameterException {
        MissingCommandException(CommandLine commandLine) {
            super(commandLine, "missing command");
        }
    }

    /** Runs the command line and exits the JVM with its status (except for {@code serve}, which blocks). */
    public static void main(String[] args) {
        System.exit(commandLine(System.getenv()).execute(args));
    }

    /** A command line whose commands read the given environment (tests pass their own). */
    static CommandLine commandLine(Map<String, String> env) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K instance = defaults.create(type);
                if (instance instanceof UsesEnvironment command) {
                    command.environment(env);
                }
                return instance;
            }
        };
        CommandLine cl = new CommandLine(new Main(), factory);
        cl.setExecutionExceptionHandler((e, command, parseResult) -> {
            if (e instanceof CliFailureException || e instanceof IllegalArgumentException) {
                command.getErr().println("tally: " + e.getMessage());
                command.getErr().flush();
                return 1;
            }
            throw e;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine failed = e.getCommandLine();
            PrintWriter err = failed.getErr();
            String name = failed.getCommandSpec().qualifiedName();
            Optional<String> unknown = unknownCommand(e);
            if (e instanceof MissingCommandException || unknown.isPresent()) {
                err.println(name + ": " + unknown.map(u -> "unknown command '" + u + "'").orElse("missing command"));
                if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                    err.println("Did you mean: " + String.join(", ", u.getSuggestions()) + "?");
                }
                err.println();
                failed.usage(err);
                err.flush();
                return USAGE;
            }
            err.println("tally: " + e.getMessage());
            err.println("Try '" + name + " --help' for more.");
            err.flush();
            return USAGE;
        });
        return cl;
    }

    /** The word given where a command with subcommands expected one of them, if that is what {@code e} is about. */
    private static Optional<String> unknownCommand(ParameterException e) {
        if (!(e instanceof CommandLine.UnmatchedArgumentException u)
                || e.getCommandLine().getSubcommands().isEmpty() || u.getUnmatched().isEmpty()) {
            return Optional.empty();
        }
        String first = u.getUnmatched().get(0);
        return first.startsWith("-") ? Optional.empty() : Optional.of(first);
    }

    /** A command that reads environment variables (API key, data directory). */
    interface UsesEnvironment {
        void environment(Map<String, String> env);
    }
}

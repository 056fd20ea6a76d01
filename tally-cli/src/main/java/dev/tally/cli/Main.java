package dev.tally.cli;

import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code tally} command: {@code serve}, {@code ingest}, {@code bench} and
 * {@code reconcile}. Exit status: 0 success, 1 failure, 2 reconciliation found
 * differences, 64 bad command line.
 */
@Command(name = "tally", mixinStandardHelpOptions = true, version = "tally 0.1.0",
        description = "Tally usage-based billing engine: run the server, load events, benchmark, reconcile.",
        subcommands = {ServeCommand.class, IngestCommand.class, BenchCommand.class, ReconcileCommand.class, KeysCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit status for a command line that could not be parsed. */
    static final int USAGE = 64;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: serve, ingest, bench or reconcile");
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
            failed.getErr().println("tally: " + e.getMessage());
            failed.getErr().println("Try '" + failed.getCommandSpec().qualifiedName() + " --help' for more.");
            failed.getErr().flush();
            return USAGE;
        });
        return cl;
    }

    /** A command that reads environment variables (API key, data directory). */
    interface UsesEnvironment {
        void environment(Map<String, String> env);
    }
}

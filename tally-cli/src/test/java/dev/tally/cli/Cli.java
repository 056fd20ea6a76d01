package dev.tally.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;

/** Runs the {@code tally} command line in this JVM with captured output and a given environment. */
final class Cli {
    record Run(int exitCode, String out, String err, CommandLine commandLine) {
        /** The command object of a (sub)command by its path, e.g. {@code "bench", "ingest"}. */
        <T> T command(String... path) {
            CommandLine cl = commandLine;
            for (String name : path) {
                cl = cl.getSubcommands().get(name);
            }
            return cl.getCommand();
        }
    }

    private Cli() {
    }

    static Run run(Map<String, String> env, String... args) {
        CommandLine cl = Main.commandLine(env);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString(), cl);
    }

    static Run run(String... args) {
        return run(Map.of(), args);
    }
}

package dev.tally.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tally export}: download exports from a server, resumably (docs/EXPORTS.md). */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Download exports: 'export events' raw events, 'export usage' a meter's usage (CSV, JSON Lines, Parquet).",
        subcommands = {ExportEventsCommand.class, ExportUsageCommand.class})
final class ExportCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw Main.missingCommand(spec);
    }
}

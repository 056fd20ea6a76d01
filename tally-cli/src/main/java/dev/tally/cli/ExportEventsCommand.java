package dev.tally.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code tally export events}: stored events of a time range, page by page, resumable. */
@Command(name = "events", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Export the stored events (with their cancels) of [--from, --to) to --out.",
                "Progress (rows, rows/s) goes to stderr; --resume continues an interrupted export."})
final class ExportEventsCommand implements Callable<Integer>, Main.UsesEnvironment {
    @Mixin
    ExportDownload.Options options;

    private Map<String, String> env = System.getenv();

    @Override
    public void environment(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        return new ExportDownload(options, env).run("/v1/exports/events", new ArrayList<>(List.of()));
    }
}

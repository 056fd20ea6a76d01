package dev.tally.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tally export usage}: one meter's usage per customer, window and group, resumable. */
@Command(name = "usage", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Export a meter's usage per customer, window and group over [--from, --to) to --out.",
                "Progress (rows, rows/s) goes to stderr; --resume continues an interrupted export."})
final class ExportUsageCommand implements Callable<Integer>, Main.UsesEnvironment {
    @Mixin
    ExportDownload.Options options;

    @Option(names = "--meter", required = true, paramLabel = "KEY", description = "The meter.")
    String meter;

    @Option(names = "--window", defaultValue = "hour", paramLabel = "hour|day|month|none",
            description = "Window size.")
    String window;

    @Option(names = "--tz", paramLabel = "ZONE", description = "IANA time zone of day and month windows (default UTC).")
    String tz;

    private Map<String, String> env = System.getenv();

    @Override
    public void environment(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        List<String> params = new ArrayList<>();
        params.add("meter=" + URLEncoder.encode(meter, StandardCharsets.UTF_8));
        params.add("window=" + URLEncoder.encode(window, StandardCharsets.UTF_8));
        if (tz != null) {
            params.add("tz=" + URLEncoder.encode(tz, StandardCharsets.UTF_8));
        }
        return new ExportDownload(options, env).run("/v1/exports/usage", params);
    }
}

package dev.tally.cli;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tally bench ingest}: ingestion throughput and batch latency. */
@Command(name = "ingest", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Generate events (with a share of exact re-sends) in memory, send them, and report "
                + "accepted/duplicates/rejected, events/s and batch latency.",
                "Exit status 0 when the server counted exactly what was sent, 1 otherwise."})
final class BenchIngestCommand implements Callable<Integer>, Main.UsesEnvironment {
    @Spec
    CommandSpec spec;

    @Mixin
    BenchCommand.TargetOptions target;

    @Option(names = "--events", paramLabel = "N", defaultValue = "2000000", description = "Events to send.")
    long events;

    @Option(names = "--duplicates", paramLabel = "FRACTION", defaultValue = "0.05",
            description = "Share of events that re-send an earlier event's id, in [0, 1).")
    BigDecimal duplicates;

    @Option(names = "--customers", paramLabel = "N", defaultValue = "1000", description = "Distinct customers.")
    int customers;

    /** The summary of the last run (for tests). */
    IngestBenchmark.Summary summary;

    private Map<String, String> env = System.getenv();

    @Override
    public void environment(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        IngestBenchmark.Settings settings = new IngestBenchmark.Settings(events, duplicates, target.batch,
                target.concurrency, customers, target.seed, target.retry(), !target.noProgress);
        try (BenchTarget server = target.open(spec, env)) {
            summary = IngestBenchmark.run(server, settings, Clock.systemUTC(), spec.commandLine().getOut(),
                    spec.commandLine().getErr());
        }
        return summary.consistent() ? 0 : 1;
    }
}

package dev.tally.cli;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tally bench query}: usage-query latency over a month of one customer's events. */
@Command(name = "query", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Load events for one customer spread over the current UTC month, then time usage queries "
                + "for the month (window=day and window=none) after a warm-up.",
                "Exit status 0 when every query succeeded and reported exactly the tokens sent, 1 otherwise."})
final class BenchQueryCommand implements Callable<Integer>, Main.UsesEnvironment {
    @Spec
    CommandSpec spec;

    @Mixin
    BenchCommand.TargetOptions target;

    @Option(names = "--events", paramLabel = "N", defaultValue = "1000000", description = "Events to load.")
    long events;

    @Option(names = "--queries", paramLabel = "N", defaultValue = "2000", description = "Timed queries per window kind.")
    int queries;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "200", description = "Untimed queries first.")
    int warmup;

    /** The summary of the last run (for tests). */
    QueryBenchmark.Summary summary;

    private Map<String, String> env = System.getenv();

    @Override
    public void environment(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        QueryBenchmark.Settings settings = new QueryBenchmark.Settings(events, target.batch, target.concurrency,
                queries, warmup, target.seed, target.retry(), !target.noProgress);
        try (BenchTarget server = target.open(spec, env)) {
            summary = QueryBenchmark.run(server, settings, Clock.systemUTC(), spec.commandLine().getOut(),
                    spec.commandLine().getErr());
        }
        return summary.consistent() ? 0 : 1;
    }
}

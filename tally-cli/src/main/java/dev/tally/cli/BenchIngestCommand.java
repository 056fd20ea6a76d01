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

    @Option(names = "--prepaid", paramLabel = "N", defaultValue = "0",
            description = "Make the first N customers prepaid (a subscription, a wallet, a grant, a balance alert) "
                    + "before timing, so that ingest keeps their live balances up to date.")
    int prepaid;

    @Option(names = "--duration-meter",
            description = "Before timing, create a duration meter (bench_sessions) that reads every event as a "
                    + "start, heartbeat or stop mark, so ingest maintains duration state on the hot path.")
    boolean durationMeter;

    @Option(names = "--schema", description = "Install a JSON Schema (2020-12) on the benchmark's event type before "
            + "timing, so that every event is validated on ingest (compare a run with and without it).")
    boolean schema;

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
            java.io.PrintWriter out = spec.commandLine().getOut();
            if (durationMeter) {
                server.ensureDurationMeter(target.retry());
                out.println("duration meter: bench_sessions reads every event (key data.model, timeout PT5M)");
            }
            if (schema) {
                server.ensureBenchSchema(target.retry());
                out.println("schema: every " + BenchWorkload.EVENT_TYPE + " event is validated against a JSON Schema");
            }
            if (prepaid > 0) {
                server.ensureBenchMeter(target.retry());
                PrepaidSetup.create(server, target.retry(), prepaid, target.concurrency, java.time.Instant.now(), out);
                waitForLiveBalances(server, out, "before the run");
            }
            summary = IngestBenchmark.run(server, settings, Clock.systemUTC(), out, spec.commandLine().getErr());
            if (prepaid > 0) {
                waitForLiveBalances(server, out, "after the run");
            }
        }
        return summary.consistent() ? 0 : 1;
    }

    /** Embedded servers: how many live balances wait to be recomputed, and how long the refresh takes to catch up. */
    private static void waitForLiveBalances(BenchTarget server, java.io.PrintWriter out, String when) {
        if (PrepaidSetup.backlog(server).isEmpty()) {
            return;
        }
        try {
            Thread.sleep(1_100); // one refresh run: its sweep marks what the ledger changed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        java.util.Optional<Integer> first = PrepaidSetup.backlog(server);
        long started = System.nanoTime();
        long limit = started + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (PrepaidSetup.backlog(server).orElse(0) > 0 && System.nanoTime() < limit) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        out.printf("live balances %s: %,d customers waiting, caught up in %s s (%,d left)%n", when, first.get(),
                Format.seconds(System.nanoTime() - started), PrepaidSetup.backlog(server).orElse(0));
        out.flush();
    }
}

package dev.tally.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tally bench soak}: the long run, with a report every N events and a kill -9 restart at the end. */
@Command(name = "soak", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Start 'tally serve' in a process of its own on a simulated clock (the run spans "
                + "--simulated-days, so ids age through the dedup window and segments are compressed and archived), "
                + "send N events with production-like ids over HTTP, and every --report-every events print the "
                + "rate, the server's heap after a full GC per id in the window, ids per tier, log bytes per event "
                + "(local and archived), the last checkpoint and the load average; then kill -9 the server and time "
                + "the restart until it is ready and shows the same totals.",
                "With --database-url the server runs on PostgreSQL: the lines give the events table's partitions "
                        + "and bytes per event instead of the log's.",
                "Exit status 0 when nothing was rejected, no re-sent id was accepted twice and the totals after the "
                        + "restart equal those before; 1 otherwise."})
final class BenchSoakCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--events", paramLabel = "N", defaultValue = "300000000", description = "Events to send (all distinct ids).")
    long events;

    @Option(names = "--report-every", paramLabel = "N", defaultValue = "10000000",
            description = "Events between two report lines (a multiple of --batch).")
    long reportEvery;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1000", description = "Events per request.")
    int batch;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "4", description = "Connections sending in parallel.")
    int concurrency;

    @Option(names = "--customers", paramLabel = "N", defaultValue = "5000", description = "Distinct customers (at most 100,000).")
    int customers;

    @Option(names = "--simulated-days", paramLabel = "DAYS", defaultValue = "40",
            description = "Simulated time the run spans if it ingests at --expected-rate.")
    double simulatedDays;

    @Option(names = "--expected-rate", paramLabel = "EVENTS/S", defaultValue = "150000",
            description = "Ingest rate the simulated clock's speed is set for (a slower run spans more days).")
    long expectedRate;

    @Option(names = "--backdating-days", paramLabel = "DAYS", defaultValue = "35",
            description = "The server's TALLY_BACKDATING_DAYS (the dedup window is one day more).")
    int backdatingDays;

    @Option(names = "--server-heap", paramLabel = "SIZE", defaultValue = "8g", description = "The server's -Xmx.")
    String serverHeap;

    @Option(names = "--checkpoint-interval", paramLabel = "SECONDS", defaultValue = "60",
            description = "The server's TALLY_CHECKPOINT_INTERVAL_SECONDS (wall-clock seconds).")
    long checkpointSeconds;

    @Option(names = "--dedup-memory-mb", paramLabel = "MB",
            description = "The server's TALLY_DEDUP_MEMORY_MB (default: its default, 1024).")
    Long dedupMemoryMb;

    @Option(names = "--database-url", paramLabel = "URL",
            description = "Run the server on PostgreSQL (e.g. postgresql://postgres@127.0.0.1:5432/soak; an empty "
                    + "database).")
    String databaseUrl;

    @Option(names = "--resend", paramLabel = "N", defaultValue = "1000",
            description = "Earlier events re-sent at each report (must come back duplicate or too old).")
    int resend;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed of the generated ids.")
    long seed;

    @Option(names = "--stop-at", paramLabel = "INSTANT",
            description = "Stop sending at the first report after this instant (e.g. 2026-12-04T19:45:00Z) and go on "
                    + "to the kill -9 restart with what was sent.")
    java.time.Instant stopAt;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Data directory (must not exist yet; default: a temporary one, deleted after). The "
                    + "archive is DIR-archive, the server's log DIR-server.log.")
    Path data;

    /** The result of the last run (for tests). */
    SoakBenchmark.Result result;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (data != null && Files.exists(data)) {
            throw new ParameterException(spec.commandLine(), "--data " + data + " exists already");
        }
        SoakBenchmark.Settings settings;
        try {
            settings = new SoakBenchmark.Settings(events, reportEvery, batch, concurrency, customers, simulatedDays,
                    expectedRate, backdatingDays, serverHeap, Duration.ofSeconds(checkpointSeconds),
                    Optional.ofNullable(dedupMemoryMb), Optional.ofNullable(databaseUrl), resend, seed, Optional.ofNullable(stopAt));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Path parent = data == null ? Files.createTempDirectory("tally-bench-soak-") : null;
        Path dir = data != null ? data : parent.resolve("data");
        PrintWriter out = spec.commandLine().getOut();
        out.printf("bench soak: %s events, a report every %s, %s customers, store %s, data in %s%n",
                Format.count(events), Format.count(reportEvery), Format.count(customers),
                databaseUrl == null ? "embedded" : "PostgreSQL", dir);
        out.flush();
        try {
            result = new SoakBenchmark(settings, dir, out).run();
        } finally {
            if (parent != null) {
                BenchTarget.deleteRecursively(parent);
            }
        }
        out.printf("result: %s (rejected %s, accepted again on re-send %s, totals after restart %s)%n",
                result.consistent() ? "consistent" : "INCONSISTENT", Format.count(result.rejected()),
                Format.count(result.acceptedOnResend()), result.totalsEqual() ? "equal" : "DIFFERENT");
        out.flush();
        return result.consistent() ? 0 : 1;
    }
}

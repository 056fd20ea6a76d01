package dev.tally.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tally bench restart}: restart time after {@code kill -9} with the dedup window full of ids. */
@Command(name = "restart", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Start 'tally serve' in a process of its own, fill the dedup window with N distinct ids, wait "
                + "for a scheduled checkpoint, send a tail only the log holds, kill -9 the server and time its "
                + "restart on the same data until /health/ready.",
                "Exit status 0 when the restarted server remembers every id sent, 1 otherwise."})
final class BenchRestartCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--events", paramLabel = "N", defaultValue = "30000000", description = "Distinct ids to fill the window with.")
    long events;

    @Option(names = "--tail", paramLabel = "N", defaultValue = "100000",
            description = "Events sent after the checkpoint and before the kill (replayed from the log).")
    long tail;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1000", description = "Events per request.")
    int batch;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "4", description = "Connections sending in parallel.")
    int concurrency;

    @Option(names = "--customers", paramLabel = "N", defaultValue = "1000", description = "Distinct customers.")
    int customers;

    @Option(names = "--checkpoint-interval", paramLabel = "SECONDS", defaultValue = "60",
            description = "The server's TALLY_CHECKPOINT_INTERVAL_SECONDS (production default: 300).")
    long checkpointSeconds;

    @Option(names = "--server-heap", paramLabel = "SIZE", defaultValue = "6g", description = "The server's -Xmx.")
    String serverHeap;

    @Option(names = "--dedup-memory-mb", paramLabel = "MB",
            description = "The server's TALLY_DEDUP_MEMORY_MB (default: its default, 1024).")
    Long dedupMemoryMb;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Data directory (must not exist yet; default: a temporary one, deleted after).")
    Path data;

    /** The result of the last run (for tests). */
    RestartBenchmark.Result result;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path parent = Files.createTempDirectory("tally-bench-restart-");
        Path dir = data != null ? data : parent.resolve("data");
        if (data != null && Files.exists(data)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--data " + data + " exists already");
        }
        java.io.PrintWriter out = spec.commandLine().getOut();
        out.printf("bench restart: %s ids, tail %s, data in %s%n", Format.count(events), Format.count(tail), dir);
        out.flush();
        try {
            result = new RestartBenchmark(new RestartBenchmark.Settings(events, tail, batch, concurrency, customers,
                    Duration.ofSeconds(checkpointSeconds), serverHeap, Optional.ofNullable(dedupMemoryMb)), dir, out)
                    .run();
        } finally {
            if (data == null) {
                BenchTarget.deleteRecursively(parent);
            }
        }
        out.printf("restart after kill -9: %s s to ready%n", Format.seconds(result.restartNanos()));
        out.printf("  %s%n", result.replayLine());
        out.printf("  ids remembered after the restart: %s of %s%n", Format.count(result.idsAfterRestart()),
                Format.count(result.expectedIds()));
        out.printf("  result: %s%n", result.consistent() ? "consistent" : "INCONSISTENT");
        out.flush();
        return result.consistent() ? 0 : 1;
    }
}

package dev.tally.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tally bench}: the load generator ({@code ingest}, {@code query}). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Load generator: 'bench ingest' measures ingestion, 'bench query' usage queries, 'bench billing' a "
                + "billing run, 'bench restart' the restart after kill -9, 'bench soak' the long run.",
        subcommands = {BenchIngestCommand.class, BenchQueryCommand.class, BenchBillingCommand.class,
                BenchParseCommand.class, BenchRestartCommand.class, BenchSoakCommand.class})
final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw Main.missingCommand(spec);
    }

    /** Options shared by the benchmarks: which server, how to send. */
    static final class TargetOptions {
        @Option(names = "--url", paramLabel = "URL", description = "Benchmark a running server (plain http).")
        URI url;

        @Option(names = "--embedded",
                description = "Start a server in this process on a free port (the default without --url).")
        boolean embedded;

        @Option(names = "--key", paramLabel = "KEY",
                description = "API key for --url (default: $TALLY_API_KEY, else $${TALLY_DATA_DIR:-./data}/bootstrap-key).")
        String key;

        @Option(names = "--data", paramLabel = "DIR",
                description = "Data directory of the embedded server (default: a temporary one, deleted after).")
        Path data;

        @Option(names = "--batch", paramLabel = "N", defaultValue = "1000", description = "Events per request.")
        int batch;

        @Option(names = "--concurrency", paramLabel = "N", defaultValue = "4",
                description = "Keep-alive connections sending in parallel.")
        int concurrency;

        @Option(names = "--retries", paramLabel = "N", defaultValue = "8",
                description = "Re-sends of a request after 429/502/503/504 or a connection error.")
        int retries;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed of the generated data.")
        long seed;

        @Option(names = "--no-progress", description = "Do not draw the progress bar.")
        boolean noProgress;

        @Option(names = "--dedup-memory-mb", paramLabel = "MB",
                description = "Embedded server only: heap budget of the duplicate index's memory tier (beyond it, ids "
                        + "spill to the disk tier; default: TALLY_DEDUP_MEMORY_MB's default, 1024).")
        Long dedupMemoryMb;

        BenchTarget open(CommandSpec spec, Map<String, String> env) {
            if (url != null && embedded) {
                throw new ParameterException(spec.commandLine(), "--url and --embedded exclude each other");
            }
            if (url != null && data != null) {
                throw new ParameterException(spec.commandLine(), "--data is for the embedded server only");
            }
            if (url != null && dedupMemoryMb != null) {
                throw new ParameterException(spec.commandLine(), "--dedup-memory-mb is for the embedded server only");
            }
            if (dedupMemoryMb != null && dedupMemoryMb < 1) {
                throw new ParameterException(spec.commandLine(), "--dedup-memory-mb must be at least 1");
            }
            if (url == null) {
                return BenchTarget.embedded(Optional.ofNullable(data), Optional.ofNullable(dedupMemoryMb));
            }
            return BenchTarget.remote(url, ApiKeys.resolve(Optional.ofNullable(key), env));
        }

        RetryPolicy retry() {
            return RetryPolicy.withRetries(retries);
        }
    }
}

package dev.tally.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tally ingest FILE.jsonl}: loads a JSON-lines file of CloudEvents. */
@Command(name = "ingest", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Load a JSON-lines file of CloudEvents (one event per line; '-' reads stdin) into the server.",
                "Exit status 0 when every request succeeded (rejected events are not failures), 1 otherwise."})
final class IngestCommand implements Callable<Integer>, Main.UsesEnvironment {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.jsonl", description = "The events file, or '-' for stdin.")
    String file;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:TALLY_URL:-http://localhost:8080}",
            description = "Server URL ($TALLY_URL if set).")
    URI url;

    @Option(names = "--key", paramLabel = "KEY",
            description = "API key (default: $TALLY_API_KEY, else $${TALLY_DATA_DIR:-./data}/bootstrap-key).")
    String key;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1000", description = "Events per request (1-10000).")
    int batch;

    @Option(names = "--output", paramLabel = "FILE",
            description = "Write one JSON line per event: line, id, source, status, reason.")
    Path output;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "8",
            description = "Re-sends of a request after 429/502/503/504 or a connection error.")
    int retries;

    @Option(names = "--no-progress", description = "Do not draw the progress bar.")
    boolean noProgress;

    /** The summary of the last run (for tests). */
    FileIngester.Summary summary;

    private Map<String, String> env = System.getenv();

    @Override
    public void environment(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ApiClient client = new ApiClient(url, ApiKeys.resolve(Optional.ofNullable(key), env),
                RetryPolicy.withRetries(retries));
        boolean stdin = file.equals("-");
        Path path = stdin ? null : Path.of(file);
        long size = stdin ? 0 : sizeOf(path);
        try (InputStream in = stdin ? System.in : Files.newInputStream(path);
                Writer results = output == null ? null : Files.newBufferedWriter(output, StandardCharsets.UTF_8);
                ProgressBar bar = ProgressBar.start(err, "ingest", size, !noProgress)) {
            summary = new FileIngester(client, batch, results, bar, err)
                    .ingest(in);
        }
        summary.print(out, stdin ? "stdin" : file);
        out.flush();
        return summary.failedRequests() == 0 ? 0 : 1;
    }

    private static long sizeOf(Path path) {
        try {
            return Files.size(path);
        } catch (NoSuchFileException e) {
            throw new CliFailureException("no such file: " + path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

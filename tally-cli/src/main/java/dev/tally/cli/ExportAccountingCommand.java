package dev.tally.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tally export invoices|credit-notes|payments --from --to} (subcommands of {@code tally export}): fetches an
 * accounting export (CSV) of the period from the server and writes it, byte for byte, to standard output or to
 * {@code --output}. The columns are listed in docs/PAYMENTS.md.
 */
abstract class ExportAccountingCommand implements Callable<Integer>, Main.UsesEnvironment {
    @Spec
    CommandSpec spec;

    /** The export's path on the server. */
    abstract String path();

    @Command(name = "invoices", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Finalized invoices of a period as CSV, a row per invoice line (docs/PAYMENTS.md).")
    static final class Invoices extends ExportAccountingCommand {
        @Override
        String path() {
            return "/v1/exports/invoices.csv";
        }
    }

    @Command(name = "credit-notes", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Credit notes of a period as CSV, a row per credited line (docs/PAYMENTS.md).")
    static final class CreditNotes extends ExportAccountingCommand {
        @Override
        String path() {
            return "/v1/exports/credit-notes.csv";
        }
    }

    @Command(name = "payments", mixinStandardHelpOptions = true, showDefaultValues = true,
            description = "Payment facts of a period as CSV, a row per fact (docs/PAYMENTS.md).")
    static final class Payments extends ExportAccountingCommand {
        @Override
        String path() {
            return "/v1/exports/payments.csv";
        }
    }

    @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:TALLY_URL:-http://localhost:8080}",
            description = "Server URL ($TALLY_URL if set).")
    URI url;

    @Option(names = "--key", paramLabel = "KEY",
            description = "API key (default: $TALLY_API_KEY, else $${TALLY_DATA_DIR:-./data}/bootstrap-key).")
    String key;

    @Option(names = "--from", required = true, paramLabel = "RFC3339",
            description = "Start of the period (inclusive), e.g. 2026-11-01T00:00:00Z.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "RFC3339", description = "End of the period (exclusive).")
    String to;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the CSV to this file (default: stdout).")
    Path output;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "3", description = "Re-sends on 503/429/connection errors.")
    int retries;

    private Map<String, String> env = System.getenv();

    @Override
    public void environment(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() throws IOException {
        String path = path();
        String query = "?from=" + URLEncoder.encode(rfc3339("--from", from), StandardCharsets.UTF_8)
                + "&to=" + URLEncoder.encode(rfc3339("--to", to), StandardCharsets.UTF_8);
        ApiClient client = new ApiClient(url, ApiKeys.resolve(Optional.ofNullable(key), env),
                RetryPolicy.withRetries(retries));
        ApiResponse response = client.get(path + query);
        if (!response.ok()) {
            throw new RequestFailedException("export failed: HTTP " + response.problem(), response.status());
        }
        if (output != null) {
            Files.write(output, response.body());
            PrintWriter err = spec.commandLine().getErr();
            err.println("wrote " + output + " (" + response.body().length + " bytes)");
            err.flush();
        } else {
            PrintWriter out = spec.commandLine().getOut();
            out.print(response.text());
            out.flush();
        }
        return 0;
    }

    private String rfc3339(String option, String value) {
        try {
            OffsetDateTime.parse(value);
            return value;
        } catch (DateTimeParseException e) {
            throw new ParameterException(spec.commandLine(), option + " must be an RFC 3339 timestamp such as "
                    + "2026-11-01T00:00:00Z, not '" + value + "'");
        }
    }
}

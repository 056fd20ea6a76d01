package dev.tally.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tally reconcile}: raw events vs aggregates vs invoiced. */
@Command(name = "reconcile", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Ask the server to reconcile raw events against aggregates and invoices, and print the report.",
                "Exit status 0 when the report has no differences, 2 when it has some, 1 on failure."})
final class ReconcileCommand implements Callable<Integer>, Main.UsesEnvironment {
    /** Exit status when the report lists differences. */
    static final int DIFFERENCES = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:TALLY_URL:-http://localhost:8080}",
            description = "Server URL ($TALLY_URL if set).")
    URI url;

    @Option(names = "--key", paramLabel = "KEY",
            description = "API key (default: $TALLY_API_KEY, else $${TALLY_DATA_DIR:-./data}/bootstrap-key).")
    String key;

    @Option(names = "--from", paramLabel = "RFC3339", description = "Start of the period, e.g. 2026-11-01T00:00:00Z.")
    String from;

    @Option(names = "--to", paramLabel = "RFC3339", description = "End of the period (exclusive).")
    String to;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "3", description = "Re-sends on 503/429/connection errors.")
    int retries;

    private Map<String, String> env = System.getenv();

    @Override
    public void environment(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() throws IOException {
        List<String> params = new ArrayList<>();
        if (from != null) {
            params.add("from=" + URLEncoder.encode(rfc3339("--from", from), StandardCharsets.UTF_8));
        }
        if (to != null) {
            params.add("to=" + URLEncoder.encode(rfc3339("--to", to), StandardCharsets.UTF_8));
        }
        ApiClient client = new ApiClient(url, ApiKeys.resolve(Optional.ofNullable(key), env),
                RetryPolicy.withRetries(retries));
        ApiResponse response = client.get("/v1/reconciliation" + (params.isEmpty() ? "" : "?" + String.join("&", params)));
        if (!response.ok()) {
            throw new RequestFailedException("reconciliation failed: HTTP " + response.problem(), response.status());
        }
        JsonNode report;
        try {
            report = Jsons.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new MalformedResponseException("the reconciliation report is not JSON");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(Jsons.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        JsonNode differences = report == null ? null : report.get("differences");
        if (differences == null || !differences.isArray()) {
            throw new MalformedResponseException("the reconciliation report has no 'differences' list");
        }
        JsonNode ledger = report.path("ledger").path("differences");
        int count = differences.size() + (ledger.isArray() ? ledger.size() : 0);
        if (count == 0) {
            out.println("reconciliation: no differences");
            out.flush();
            return 0;
        }
        out.println("reconciliation: " + count + " difference" + (count == 1 ? "" : "s"));
        out.flush();
        return DIFFERENCES;
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

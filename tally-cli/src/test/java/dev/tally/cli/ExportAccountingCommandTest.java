package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tally export}: the request it sends, the CSV it writes (stdout or a file), and its failures. */
class ExportAccountingCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesTheServersCsvToStdoutByteForByte() {
        String csv = "payment_id,invoice_id\r\npay_1,\"inv,1\"\r\n";
        try (ScriptedHttpServer server = new ScriptedHttpServer((n, r) -> new ScriptedHttpServer.Answer(200, csv))) {
            Cli.Run run = Cli.run("export", "payments", "--url", server.url(), "--key=k", "--from",
                    "2026-11-01T00:00:00Z", "--to", "2026-12-01T00:00:00Z");
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).isEqualTo(csv);
            assertThat(server.requests().get(0).uri())
                    .isEqualTo("/v1/exports/payments.csv?from=2026-11-01T00%3A00%3A00Z&to=2026-12-01T00%3A00%3A00Z");
            assertThat(server.requests().get(0).authorization()).isEqualTo("Bearer k");
        }
    }

    @Test
    void exportsARealServersInvoicesToAFile() throws Exception {
        try (EmbeddedServer server = new EmbeddedServer(dir.resolve("data"))) {
            Path out = dir.resolve("invoices.csv");
            Cli.Run run = Cli.run("export", "invoices", "--url", server.url(), "--key", server.key(), "--from",
                    "2026-01-01T00:00:00Z", "--to", "2027-01-01T00:00:00Z", "--output", out.toString());
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(Files.readString(out)).startsWith("invoice_id,invoice_number,invoice_status,customer,currency,");
            Cli.Run notes = Cli.run("export", "credit-notes", "--url", server.url(), "--key", server.key(), "--from",
                    "2026-01-01T00:00:00Z", "--to", "2027-01-01T00:00:00Z");
            assertThat(notes.out()).startsWith("credit_note_id,credit_note_number,");
        }
    }

    @Test
    void refusesAnUnknownExportABadTimeAndReportsAServerError() {
        assertThat(Cli.run("export", "ledgers", "--url", "http://127.0.0.1:1", "--key=k", "--from",
                "2026-11-01T00:00:00Z", "--to", "2026-12-01T00:00:00Z").exitCode()).isEqualTo(Main.USAGE);
        assertThat(Cli.run("export", "invoices", "--url", "http://127.0.0.1:1", "--key=k", "--from", "yesterday",
                "--to", "2026-12-01T00:00:00Z").exitCode()).isEqualTo(Main.USAGE);
        try (ScriptedHttpServer server = new ScriptedHttpServer((n, r) -> new ScriptedHttpServer.Answer(400,
                "{\"title\":\"Invalid request\",\"status\":400,\"detail\":\"to: must be after from\"}"))) {
            Cli.Run run = Cli.run("export", "invoices", "--url", server.url(), "--key=k", "--from",
                    "2026-12-01T00:00:00Z", "--to", "2026-11-01T00:00:00Z");
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).contains("must be after from");
        }
    }
}

package dev.tally.server;

import dev.tally.engine.Engine;
import dev.tally.engine.export.AccountingExports;
import dev.tally.engine.export.CsvWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /v1/exports/invoices.csv}, {@code credit-notes.csv} and {@code payments.csv}: the accounting exports of
 * a period {@code from} (inclusive) to {@code to} (exclusive), both required RFC 3339 instants, as
 * {@code text/csv; charset=utf-8} (RFC 4180, a header line first; columns in docs/PAYMENTS.md). The rows are
 * spooled to a temporary file as they are read and sent with their length once complete (the file is deleted).
 */
final class AccountingExportsApi {
    private final Engine engine;

    AccountingExportsApi(Engine engine) {
        this.engine = engine;
    }

    void invoices(Request r) throws IOException {
        export(r, "invoices", AccountingExports.INVOICE_COLUMNS, (e, t, f, to, w) -> e.invoices(t, f, to, w));
    }

    void creditNotes(Request r) throws IOException {
        export(r, "credit-notes", AccountingExports.CREDIT_NOTE_COLUMNS, (e, t, f, to, w) -> e.creditNotes(t, f, to, w));
    }

    void payments(Request r) throws IOException {
        export(r, "payments", AccountingExports.PAYMENT_COLUMNS, (e, t, f, to, w) -> e.payments(t, f, to, w));
    }

    private interface Export {
        void write(AccountingExports exports, String tenant, Instant from, Instant to, CsvWriter out);
    }

    private void export(Request r, String name, List<String> columns, Export export) throws IOException {
        Instant from = r.instant("from").orElseThrow(() -> HttpError.badRequest("from", "is required (RFC 3339)"));
        Instant to = r.instant("to").orElseThrow(() -> HttpError.badRequest("to", "is required (RFC 3339)"));
        if (!from.isBefore(to)) {
            throw HttpError.badRequest("to", "must be after from");
        }
        // rows go to a spool file as they are read (memory stays flat whatever the period), and the answer is sent
        // only once the whole export is written: a failure half-way is a 500, never a truncated 200
        Path spool = Files.createTempFile("tally-export-", ".csv");
        try {
            try (Writer w = Files.newBufferedWriter(spool, StandardCharsets.UTF_8)) {
                export.write(engine.exports(), r.tenant(), from, to, new CsvWriter(w, columns));
            }
            r.exchange.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + name + "-"
                    + from.toString().replace(":", "") + "-" + to.toString().replace(":", "") + ".csv\"");
            Responses.sendFile(r.exchange, 200, "text/csv; charset=utf-8", spool);
        } finally {
            Files.deleteIfExists(spool);
        }
    }
}

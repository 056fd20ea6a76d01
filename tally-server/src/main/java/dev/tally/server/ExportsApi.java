package dev.tally.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.engine.Engine;
import dev.tally.engine.usage.Window;
import dev.tally.export.ExportFormat;
import dev.tally.export.ExportPage;
import dev.tally.export.ExportRequest;
import dev.tally.export.Exports;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * {@code GET /v1/exports/events} and {@code /v1/exports/usage}: one page of an export as CSV, JSON Lines or Parquet.
 * The page is written to a temporary file first (memory stays constant; the file is deleted after the response), so
 * the response can carry {@code Tally-Next-Cursor} (absent on the last page) and {@code Tally-Export-Rows} headers and
 * an exact Content-Length.
 */
final class ExportsApi {
    static final long DEFAULT_LIMIT = 100_000;
    private final Engine engine;
    private final Exports exports;

    private final ObjectMapper mapper;
    private final dev.tally.export.ScheduledExports scheduled;

    ExportsApi(Engine engine, ObjectMapper mapper, Path exportRoot) {
        this.engine = engine;
        this.mapper = mapper;
        this.exports = new Exports(engine, mapper);
        this.scheduled = new dev.tally.export.ScheduledExports(engine, mapper, exportRoot, engine.clock());
    }

    /** The daily trigger of the stored schedules (the server closes it). */
    dev.tally.export.DailyTrigger startDailyTrigger() {
        return new dev.tally.export.DailyTrigger(engine, scheduled);
    }

    /** {@code PUT /v1/exports/schedule}: sets the tenant's daily export; the S3 secret is sealed, never echoed. */
    void putSchedule(Request r) throws IOException {
        var parsed = scheduled.parse(JsonBody.object(r, 64 * 1024));
        var stored = engine.exportSchedules().put(r.tenant(), parsed.config(), parsed.secret(), true);
        Responses.json(r.exchange, 200, scheduled.view(stored), mapper);
    }

    void getSchedule(Request r) throws IOException {
        var stored = engine.exportSchedules().get(r.tenant())
                .orElseThrow(() -> HttpError.notFound("no export schedule"));
        Responses.json(r.exchange, 200, scheduled.view(stored), mapper);
    }

    void deleteSchedule(Request r) throws IOException {
        if (!engine.exportSchedules().delete(r.tenant())) {
            throw HttpError.notFound("no export schedule");
        }
        Responses.send(r.exchange, 204, "application/json", new byte[0]);
    }

    /** {@code POST /v1/exports/schedule/run}: exports the due days now (idempotent; what the daily trigger does). */
    void runSchedule(Request r) throws IOException {
        engine.exportSchedules().get(r.tenant()).orElseThrow(() -> HttpError.notFound("no export schedule"));
        var objects = scheduled.runDue(r.tenant());
        var out = mapper.createObjectNode();
        out.set("objects", scheduled.describe(objects));
        Responses.json(r.exchange, 200, out, mapper);
    }

    void events(Request r) throws IOException {
        Instant[] range = range(r);
        send(r, ExportRequest.events(format(r), range[0], range[1], r.param("cursor"), limit(r)), "events");
    }

    void usage(Request r) throws IOException {
        Instant[] range = range(r);
        String meter = r.param("meter").orElseThrow(() -> HttpError.badRequest("meter", "is required"));
        engine.syncWithOthers();
        if (engine.meters(r.tenant()).latest(meter).isEmpty()) {
            throw HttpError.notFound("no meter '" + meter + "'");
        }
        Window window = r.param("window").map(w -> Window.fromWireName(w)
                .orElseThrow(() -> HttpError.badRequest("window", "must be hour, day, month or none")))
                .orElse(Window.HOUR);
        ZoneId zone = r.param("tz").map(z -> {
            try {
                return ZoneId.of(z);
            } catch (DateTimeException e) {
                throw HttpError.badRequest("tz", "is not an IANA time zone");
            }
        }).orElse(ZoneOffset.UTC);
        send(r, ExportRequest.usage(format(r), meter, window, zone, range[0], range[1], r.param("cursor"), limit(r)),
                "usage-" + meter);
    }

    /** Invoice lines as JSON Lines or Parquet (the accounting CSVs are {@code /v1/exports/invoices.csv} & co.). */
    void invoiceLines(Request r) throws IOException {
        Instant[] range = range(r);
        ExportFormat f = format(r);
        if (f == ExportFormat.CSV) {
            throw HttpError.badRequest("format", "must be jsonl or parquet here");
        }
        send(r, ExportRequest.invoiceLines(f, range[0], range[1], r.param("cursor"), limit(r)), "invoice-lines");
    }

    private static Instant[] range(Request r) {
        Instant from = r.instant("from").orElseThrow(() -> HttpError.badRequest("from", "is required"));
        Instant to = r.instant("to").orElseThrow(() -> HttpError.badRequest("to", "is required"));
        if (!from.isBefore(to)) {
            throw HttpError.badRequest("to", "must be after 'from'");
        }
        return new Instant[] {from, to};
    }

    private static ExportFormat format(Request r) {
        return r.param("format").map(f -> ExportFormat.fromWireName(f)
                .orElseThrow(() -> HttpError.badRequest("format", "must be csv, jsonl or parquet")))
                .orElse(ExportFormat.JSONL);
    }

    private static long limit(Request r) {
        return r.integer("limit", 1, (int) ExportRequest.MAX_LIMIT).map(Integer::longValue).orElse(DEFAULT_LIMIT);
    }

    private void send(Request r, ExportRequest q, String name) throws IOException {
        if (r.param("header").filter("false"::equals).isPresent()) {
            q = q.withoutCsvHeader();
        }
        exports.check(r.tenant(), q);
        Path tmp = Files.createTempFile("tally-export", ".part");
        try {
            ExportPage page;
            try (OutputStream o = Files.newOutputStream(tmp)) {
                page = exports.write(r.tenant(), q, o);
            }
            var h = r.exchange.getResponseHeaders();
            h.set("Content-Type", q.format().mediaType());
            h.set("Content-Disposition", "attachment; filename=\"" + name + "." + q.format().extension() + "\"");
            h.set("Tally-Export-Rows", Long.toString(page.rows()));
            page.nextCursor().ifPresent(c -> h.set("Tally-Next-Cursor", c));
            h.set("Cache-Control", "no-store");
            r.exchange.sendResponseHeaders(200, Files.size(tmp));
            try (OutputStream out = r.exchange.getResponseBody()) {
                Files.copy(tmp, out);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}

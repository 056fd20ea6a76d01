package dev.tally.export;

import dev.tally.engine.usage.Window;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;

/**
 * One export call: the dataset, the event-time range [from, to), where to resume ({@code cursor}, as a previous
 * page returned it), at most how many rows ({@code limit}), and for usage the meter, window and time zone of the
 * windows. {@code csvHeader} writes the CSV header row (a resumed page may leave it out).
 */
public record ExportRequest(Dataset dataset, ExportFormat format, Instant from, Instant to, Optional<String> cursor,
        long limit, Optional<String> meter, Window window, ZoneId zone, boolean csvHeader) {
    public static final long MAX_LIMIT = 10_000_000L;

    public ExportRequest {
        Objects.requireNonNull(dataset);
        Objects.requireNonNull(format);
        Objects.requireNonNull(cursor);
        Objects.requireNonNull(meter);
        Objects.requireNonNull(window);
        Objects.requireNonNull(zone);
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("'from' must be before 'to'");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
        }
        if (dataset == Dataset.USAGE && meter.isEmpty()) {
            throw new IllegalArgumentException("a usage export names a meter");
        }
    }

    public static ExportRequest events(ExportFormat format, Instant from, Instant to, Optional<String> cursor,
            long limit) {
        return new ExportRequest(Dataset.EVENTS, format, from, to, cursor, limit, Optional.empty(), Window.HOUR,
                java.time.ZoneOffset.UTC, true);
    }

    public static ExportRequest usage(ExportFormat format, String meter, Window window, ZoneId zone, Instant from,
            Instant to, Optional<String> cursor, long limit) {
        return new ExportRequest(Dataset.USAGE, format, from, to, cursor, limit, Optional.of(meter), window, zone,
                true);
    }

    public static ExportRequest invoiceLines(ExportFormat format, Instant from, Instant to, Optional<String> cursor,
            long limit) {
        return new ExportRequest(Dataset.INVOICE_LINES, format, from, to, cursor, limit, Optional.empty(), Window.NONE,
                java.time.ZoneOffset.UTC, true);
    }

    public ExportRequest withoutCsvHeader() {
        return new ExportRequest(dataset, format, from, to, cursor, limit, meter, window, zone, false);
    }
}

package dev.tally.engine.eventpartitions;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Names and ranges of the partitions: a month of events (UTC) and a day of arrived ids (UTC). */
final class PartitionNames {
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("uuuu_MM");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("uuuu_MM_dd");

    private PartitionNames() {
    }

    static String events(YearMonth m) {
        return "events_p" + m.format(MONTH);
    }

    static String ids(LocalDate d) {
        return "event_ids_p" + d.format(DAY);
    }

    static YearMonth monthOf(Instant t) {
        return YearMonth.from(t.atOffset(ZoneOffset.UTC));
    }

    static Instant start(YearMonth m) {
        return m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    static Instant end(YearMonth m) {
        return start(m.plusMonths(1));
    }

    /** The month a partition name stands for, if it is a month partition's name. */
    static java.util.Optional<YearMonth> parseEvents(String name) {
        if (!name.matches("events_p\\d{4}_\\d{2}")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(YearMonth.parse(name.substring(8), MONTH));
    }

    /** The day an id partition's name stands for. */
    static java.util.Optional<LocalDate> parseIds(String name) {
        if (!name.matches("event_ids_p\\d{4}_\\d{2}_\\d{2}")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(LocalDate.parse(name.substring(11), DAY));
    }

    /** The object key of an archived month: one object per partition, the same on every re-run. */
    static String objectKey(YearMonth m) {
        return "pg-events/" + m.getYear() + "/" + events(m) + ".tev.gz";
    }
}

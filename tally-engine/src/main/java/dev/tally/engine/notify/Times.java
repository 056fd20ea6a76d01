package dev.tally.engine.notify;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** Stored webhook timestamps: fixed-width UTC text with milliseconds, so text order is time order. */
final class Times {
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private Times() {
    }

    static String format(Instant t) {
        return FORMAT.format(t.truncatedTo(ChronoUnit.MILLIS));
    }

    static Instant parse(String s) {
        return Instant.parse(s);
    }

    static Optional<Instant> parseNullable(String s) {
        return s == null ? Optional.empty() : Optional.of(Instant.parse(s));
    }
}

package dev.tally.core.input;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reads instants from client input: RFC 3339 timestamps ({@code 2026-11-23T10:15:30(.fraction)(Z|+hh:mm)}, a
 * {@code T} or a space, seconds optional) with any offset, between {@link #MIN} (1970-01-01T00:00:00Z) and
 * {@link #MAX} (9999-12-31T23:59:59.999999999Z) after the offset is applied. Anything outside that range (such as
 * {@code +999999999-12-31T23:59:59Z}) is refused at parse time, so no instant from input can overflow the period
 * and calendar arithmetic done with it later. The common shape is parsed by hand (it is on the ingest hot path);
 * anything else falls back to {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME}.
 */
public final class InstantInput {
    /** The earliest instant accepted: 1970-01-01T00:00:00Z. */
    public static final Instant MIN = Instant.EPOCH;
    /** The latest instant accepted: 9999-12-31T23:59:59.999999999Z. */
    public static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999999Z");
    /** The accepted range, in words for error messages and documents. */
    public static final String RANGE = "between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z";

    private static final String PROBLEM = "must be an RFC 3339 timestamp " + RANGE + ", e.g. 2026-11-01T00:00:00Z";

    private InstantInput() {
    }

    /**
     * The instant an RFC 3339 timestamp names.
     *
     * @throws InvalidInputException if the text is not an RFC 3339 timestamp or the instant is outside the range
     */
    public static Instant parse(String s) {
        Instant t;
        try {
            t = parseUnbounded(s);
        } catch (DateTimeException e) {
            throw new InvalidInputException(PROBLEM);
        }
        if (t.isBefore(MIN) || t.isAfter(MAX)) {
            throw new InvalidInputException(PROBLEM);
        }
        return t;
    }

    /**
     * RFC 3339 date-time (full date, T or a space, time, optional fraction, Z or a numeric offset); seconds
     * may be left out, as java.time prints them when zero.
     */
    private static final java.util.regex.Pattern STRICT = java.util.regex.Pattern.compile(
            "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?([Zz]|[+-][0-9]{2}:[0-9]{2})");

    private static Instant parseUnbounded(String s) {
        Instant fast = parseFast(s);
        if (fast != null) {
            return fast;
        }
        if (!STRICT.matcher(s).matches()) {
            throw new DateTimeException("not an RFC 3339 timestamp");
        }
        try {
            return OffsetDateTime.parse(s.toUpperCase(java.util.Locale.ROOT).replace(' ', 'T'),
                    DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new DateTimeException("not an RFC 3339 timestamp");
        }
    }

    /** Returns null when the string is not of the common shape; the caller then uses the slow path. */
    private static Instant parseFast(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || (s.charAt(10) != 'T' && s.charAt(10) != 't')
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23
                || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (i < n && s.charAt(i) == '.') {
            i++;
            int start = i;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                if (i - start < 9) {
                    nanos = nanos * 10 + (s.charAt(i) - '0');
                }
                i++;
            }
            int len = i - start;
            if (len == 0) {
                return null;
            }
            for (int k = len; k < 9; k++) {
                nanos *= 10;
            }
        }
        if (i >= n) {
            return null;
        }
        int offsetSeconds;
        char z = s.charAt(i);
        if ((z == 'Z' || z == 'z') && i == n - 1) {
            offsetSeconds = 0;
        } else if ((z == '+' || z == '-') && i + 6 == n && s.charAt(i + 3) == ':') {
            int oh = digits(s, i + 1, 2);
            int om = digits(s, i + 4, 2);
            if (oh < 0 || oh > 23 || om < 0 || om > 59) {
                return null;
            }
            offsetSeconds = (oh * 3600 + om * 60) * (z == '-' ? -1 : 1);
        } else {
            return null;
        }
        LocalDate date;
        try {
            date = LocalDate.of(year, month, day);
        } catch (DateTimeException e) {
            return null;
        }
        long epochSecond = date.toEpochDay() * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return Instant.ofEpochSecond(epochSecond, nanos);
    }

    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}

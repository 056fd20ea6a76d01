package dev.tally.cli;

import java.math.BigInteger;
import java.util.Locale;

/**
 * Number formatting for summaries. Timings are kept as {@code long}
 * nanoseconds and printed with fixed decimals by integer arithmetic; rates are
 * whole events per second.
 */
final class Format {
    private Format() {
    }

    /** 1234567 → "1,234,567". */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** A count and a noun in the right number: (1, "event") → "1 event", (1234, "event") → "1,234 events". */
    static String count(long n, String singular) {
        return count(n, singular, singular + "s");
    }

    /** A count and a noun with an irregular plural: (2, "batch", "batches") → "2 batches". */
    static String count(long n, String singular, String plural) {
        return count(n) + " " + (n == 1 ? singular : plural);
    }

    /** Nanoseconds as milliseconds with two decimals: 12345678 → "12.35". */
    static String millis(long nanos) {
        return decimal(nanos, 1_000_000L, 2);
    }

    /** Nanoseconds as seconds with two decimals. */
    static String seconds(long nanos) {
        return decimal(nanos, 1_000_000_000L, 2);
    }

    /** Events per second over an elapsed time, rounded down; 0 when no time has passed. */
    static long perSecond(long events, long nanos) {
        if (nanos <= 0) {
            return 0;
        }
        try {
            return Math.multiplyExact(events, 1_000_000_000L) / nanos;
        } catch (ArithmeticException overflow) {
            return BigInteger.valueOf(events).multiply(BigInteger.valueOf(1_000_000_000L))
                    .divide(BigInteger.valueOf(nanos)).longValue();
        }
    }

    /** value / unit, rounded half up to the given number of decimals, printed without a double. */
    static String decimal(long value, long unit, int decimals) {
        long scale = 1;
        for (int i = 0; i < decimals; i++) {
            scale *= 10;
        }
        long scaled = (value * scale + unit / 2) / unit;
        if (decimals == 0) {
            return Long.toString(scaled);
        }
        String frac = Long.toString(scaled % scale);
        return (scaled / scale) + "." + "0".repeat(decimals - frac.length()) + frac;
    }
}

package dev.tally.cli;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;

/**
 * The soak benchmark's events, written straight into a request template of fixed layout so that the load generator
 * costs almost nothing per event: every event has the same length, and a batch is made by patching the id,
 * customer, time and tokens of each event in place. An event is a pure function of (seed, index) and its batch's
 * time, so an earlier event can be re-sent exactly (same id, time and data).
 *
 * <p>Ids look like production ids: {@code evt_} and 16 base-62 characters, the first 11 a bijection of the index
 * (so distinct indices never share an id) and 5 more random ones; nothing in them is sequential.
 */
final class SoakEvents {
    static final String EVENT_TYPE = "bench.soak";
    static final String SOURCE = "soak";
    static final int MAX_CUSTOMERS = 100_000;
    /** How far before its batch's time an event may be (ten minutes). */
    static final long MAX_LAG_MILLIS = 600_000L;

    private static final byte[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
            .getBytes(StandardCharsets.US_ASCII);
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final String BEFORE_ID = "{\"specversion\":\"1.0\",\"id\":\"evt_";
    private static final String BEFORE_CUSTOMER = "\",\"source\":\"" + SOURCE + "\",\"type\":\"" + EVENT_TYPE
            + "\",\"subject\":\"cus_";
    private static final String BEFORE_TIME = "\",\"time\":\"";
    private static final String BEFORE_TOKENS = "\",\"data\":{\"tokens\":";
    private static final String AFTER = "}}";
    static final int ID_OFFSET = BEFORE_ID.length();
    static final int CUSTOMER_OFFSET = ID_OFFSET + 16 + BEFORE_CUSTOMER.length();
    static final int TIME_OFFSET = CUSTOMER_OFFSET + 5 + BEFORE_TIME.length();
    static final int TOKENS_OFFSET = TIME_OFFSET + 24 + BEFORE_TOKENS.length();
    /** The length of every event, in bytes. */
    static final int LENGTH = TOKENS_OFFSET + 4 + AFTER.length();
    private static final byte[] TEMPLATE = (BEFORE_ID + "0".repeat(16) + BEFORE_CUSTOMER + "00000" + BEFORE_TIME
            + "1970-01-01T00:00:00.000Z" + BEFORE_TOKENS + "1000" + AFTER).getBytes(StandardCharsets.US_ASCII);

    private final long seed;
    private final int customers;
    private long cachedDay = Long.MIN_VALUE;
    private final byte[] cachedDate = new byte[11];

    /** One generator per sending thread (it caches the date it formatted last). */
    SoakEvents(long seed, int customers) {
        if (customers < 1 || customers > MAX_CUSTOMERS) {
            throw new IllegalArgumentException("customers must be in [1, " + MAX_CUSTOMERS + "]");
        }
        this.seed = seed;
        this.customers = customers;
    }

    /** A JSON array of {@code count} events of the template (to be patched by {@link #write}). */
    static byte[] templateBody(int count) {
        byte[] body = new byte[2 + count * LENGTH + Math.max(0, count - 1)];
        body[0] = '[';
        int p = 1;
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                body[p++] = ',';
            }
            System.arraycopy(TEMPLATE, 0, body, p, LENGTH);
            p += LENGTH;
        }
        body[p] = ']';
        return body;
    }

    /** Where the {@code n}-th event of a body starts, {@code bodyStart} being the offset of the body's '['. */
    static int eventOffset(int bodyStart, int n) {
        return bodyStart + 1 + n * (LENGTH + 1);
    }

    /** Writes event {@code index}, of a batch made at {@code batchMillis}, over the template at {@code at}. */
    long write(byte[] into, int at, long index, long batchMillis) {
        long z = SoakEvents.mix(seed ^ (index * GOLDEN));
        long u = z;
        // 11 base-62 digits hold any 64-bit value: a bijection of the index
        for (int i = 10; i >= 0; i--) {
            into[at + ID_OFFSET + i] = ALPHABET[(int) Long.remainderUnsigned(u, 62)];
            u = Long.divideUnsigned(u, 62);
        }
        long r = mix(z + GOLDEN);
        for (int i = 11; i < 16; i++) {
            into[at + ID_OFFSET + i] = ALPHABET[(int) Math.floorMod(r, 62L)];
            r >>>= 6;
        }
        long r2 = mix(r ^ z);
        digits(into, at + CUSTOMER_OFFSET, Math.floorMod(r2, (long) customers), 5);
        long tokens = 1000 + Math.floorMod(r2 >>> 20, 9000L);
        digits(into, at + TOKENS_OFFSET, tokens, 4);
        time(into, at + TIME_OFFSET, batchMillis - Math.floorMod(r2 >>> 40, MAX_LAG_MILLIS));
        return tokens;
    }

    private void time(byte[] into, int at, long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000L);
        int millis = (int) Math.floorMod(epochMillis, 1000L);
        long day = Math.floorDiv(second, 86_400L);
        if (day != cachedDay) {
            byte[] date = (LocalDate.ofEpochDay(day) + "T").getBytes(StandardCharsets.US_ASCII);
            if (date.length != 11) {
                throw new IllegalArgumentException("a date outside years 1000-9999: " + LocalDate.ofEpochDay(day));
            }
            System.arraycopy(date, 0, cachedDate, 0, 11);
            cachedDay = day;
        }
        System.arraycopy(cachedDate, 0, into, at, 11);
        int s = (int) Math.floorMod(second, 86_400L);
        digits(into, at + 11, s / 3600, 2);
        digits(into, at + 14, s / 60 % 60, 2);
        digits(into, at + 17, s % 60, 2);
        digits(into, at + 20, millis, 3);
    }

    private static void digits(byte[] into, int at, long value, int width) {
        for (int i = width - 1; i >= 0; i--) {
            into[at + i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    /** The SplitMix64 finaliser (a bijection of 64-bit values). */
    static long mix(long z) {
        return BenchWorkload.mix(z);
    }
}

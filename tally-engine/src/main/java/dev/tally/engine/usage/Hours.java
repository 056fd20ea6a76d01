package dev.tally.engine.usage;

import java.time.Instant;

/** Hour buckets of event time: bucket {@code h} holds [h*3600, (h+1)*3600) seconds since the epoch. */
final class Hours {
    static final long SECONDS = 3600;

    private Hours() {
    }

    static long of(Instant t) {
        return Math.floorDiv(t.getEpochSecond(), SECONDS);
    }

    static Instant start(long hour) {
        return Instant.ofEpochSecond(hour * SECONDS);
    }

    /** The first hour starting at or after t. */
    static long ceil(Instant t) {
        long h = of(t);
        return start(h).equals(t) ? h : h + 1;
    }

    static boolean aligned(Instant t) {
        return t.getNano() == 0 && t.getEpochSecond() % SECONDS == 0;
    }
}

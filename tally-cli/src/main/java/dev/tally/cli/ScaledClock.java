package dev.tally.cli;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A benchmark clock: simulated time runs {@code rate} times as fast as the wall clock from a fixed pair of anchors,
 * {@code simulated = simulatedStart + (wall - wallStart) * rate}. Being a pure function of the wall clock and the
 * anchors, it continues where it was after a {@code kill -9} when the restarted process is given the same anchors,
 * so {@code tally bench soak} can let ids age through a 36-day dedup window in an hour. Given to
 * {@code tally serve} only by the hidden {@code --simulated-clock} option; never a production setting.
 */
final class ScaledClock extends Clock {
    private final long simulatedStartMillis;
    private final long wallStartMillis;
    private final double rate;

    ScaledClock(long simulatedStartMillis, long wallStartMillis, double rate) {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("the clock rate must be positive");
        }
        this.simulatedStartMillis = simulatedStartMillis;
        this.wallStartMillis = wallStartMillis;
        this.rate = rate;
    }

    /** Parses {@code SIMULATED_START_MS,WALL_START_MS,RATE} (what {@link #spec()} writes). */
    static ScaledClock parse(String spec) {
        String[] parts = spec.split(",");
        if (parts.length != 3) {
            throw new IllegalArgumentException("a simulated clock is SIMULATED_START_MS,WALL_START_MS,RATE: " + spec);
        }
        try {
            return new ScaledClock(Long.parseLong(parts[0].trim()), Long.parseLong(parts[1].trim()),
                    Double.parseDouble(parts[2].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a simulated clock is SIMULATED_START_MS,WALL_START_MS,RATE: " + spec, e);
        }
    }

    String spec() {
        return simulatedStartMillis + "," + wallStartMillis + "," + rate;
    }

    double rate() {
        return rate;
    }

    /** The simulated instant at a wall-clock instant (in epoch milliseconds). */
    long simulatedMillisAt(long wallMillis) {
        return simulatedStartMillis + (long) ((wallMillis - wallStartMillis) * rate);
    }

    @Override
    public long millis() {
        return simulatedMillisAt(System.currentTimeMillis());
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (zone.equals(ZoneOffset.UTC)) {
            return this;
        }
        throw new UnsupportedOperationException("a simulated clock is in UTC only");
    }
}

package dev.tally.engine.anomaly;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongUnaryOperator;

/**
 * Usage spikes and stops of every customer × meter of a tenant, from the hourly history at one instant. A spike is
 * looked for in the hour that just ended and in the current, partial one (its count so far can only grow, so a
 * partial hour that already qualifies is a spike however the hour ends); a stop needs completed hours without
 * events, and nothing so far in the current hour. Pure over {@link HourlyCounts}.
 */
final class RateDetector {
    /** Stops look back at most this many hours for the start of the silence. */
    static final int MAX_SILENCE_HOURS = 14 * 24;
    /** A stop needs a full week of same-hour-of-day samples (so the weekly cycle is in them) or three weeks. */
    static final int STOP_MIN_DAYS = 7;
    /** A spike needs three days of same-hour-of-day samples. */
    static final int SPIKE_MIN_DAYS = 3;

    private final HourlyCounts history;

    RateDetector(HourlyCounts history) {
        this.history = history;
    }

    /**
     * The spikes and stops at {@code now}. {@code ongoingStops} are the incident keys of stops already raised: they
     * stay active while the silence lasts, whatever the baseline of the hours since (a night's lower expectation
     * does not end a stop that began in the day).
     */
    List<Signal> evaluate(String tenant, AnomalyPolicy p, Instant now, java.util.Set<String> ongoingStops) {
        long current = Math.floorDiv(now.getEpochSecond(), 3600);
        List<Signal> out = new ArrayList<>();
        double ratio = p.spikeRatio().doubleValue();
        double minZ = p.spikeZ().doubleValue();
        history.forEachSeries(tenant, (customer, meter, first, at) -> {
            spike(customer, meter, first, at, current, ratio, minZ, p.spikeMinEvents()).ifPresent(out::add);
            boolean ongoing = ongoingStops.contains(Signal.key(AnomalyKind.USAGE_STOPPED, Optional.of(customer),
                    Optional.of(meter), Optional.empty()));
            stop(customer, meter, first, at, current, p, ongoing).ifPresent(out::add);
        });
        return out;
    }

    private static Optional<Signal> spike(String customer, String meter, long first, LongUnaryOperator at,
            long current, double ratio, double minZ, int minEvents) {
        Signal best = null;
        for (long h = current - 1; h <= current; h++) {
            long observed = at.applyAsLong(h);
            if (observed < minEvents) {
                continue;
            }
            Optional<Baseline> b = Baseline.at(h, first, at, SPIKE_MIN_DAYS);
            if (b.isEmpty()) {
                continue;
            }
            double z = b.get().z(observed);
            if (observed >= ratio * Math.max(b.get().expected(), 1.0) && z >= minZ
                    && (best == null || z > best.score())) {
                best = new Signal(AnomalyKind.USAGE_SPIKE, Optional.of(customer), Optional.of(meter), Optional.empty(),
                        start(h), start(h + 1), observed, b.get().expected(), z, b.get().method());
            }
        }
        return Optional.ofNullable(best);
    }

    private static Optional<Signal> stop(String customer, String meter, long first, LongUnaryOperator at,
            long current, AnomalyPolicy p, boolean ongoing) {
        if (at.applyAsLong(current) > 0) {
            return Optional.empty();
        }
        long last = current - 1;
        if (ongoing) {
            if (at.applyAsLong(last) > 0) {
                return Optional.empty();
            }
            long from = silentFrom(first, at, last);
            double expected = Baseline.at(last, first, at, STOP_MIN_DAYS).map(Baseline::expected).orElse(0.0);
            return Optional.of(new Signal(AnomalyKind.USAGE_STOPPED, Optional.of(customer), Optional.of(meter),
                    Optional.empty(), start(from), start(last + 1), 0, expected, 0, "ongoing"));
        }
        Baseline lastBaseline = null;
        for (long h = last - p.stopHours() + 1; h <= last; h++) {
            if (at.applyAsLong(h) > 0) {
                return Optional.empty();
            }
            Optional<Baseline> b = Baseline.at(h, first, at, STOP_MIN_DAYS);
            if (b.isEmpty() || b.get().expected() < p.stopMinExpected() || b.get().smallestSample() < 1) {
                return Optional.empty();
            }
            lastBaseline = b.get();
        }
        return Optional.of(new Signal(AnomalyKind.USAGE_STOPPED, Optional.of(customer), Optional.of(meter),
                Optional.empty(), start(silentFrom(first, at, last)), start(last + 1), 0, lastBaseline.expected(),
                -lastBaseline.z(0), lastBaseline.method()));
    }

    /** The first hour of the silence that includes {@code last}. */
    private static long silentFrom(long first, LongUnaryOperator at, long last) {
        long from = last;
        while (from > first && from > last - MAX_SILENCE_HOURS && at.applyAsLong(from - 1) == 0) {
            from--;
        }
        return from;
    }

    static Instant start(long hour) {
        return Instant.ofEpochSecond(hour * 3600);
    }
}

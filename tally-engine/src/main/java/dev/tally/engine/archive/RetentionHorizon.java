package dev.tally.engine.archive;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The instant before which a closed segment may leave local disk: a segment whose every record (event time and
 * arrival) is strictly older may be archived. It is the earliest of: now minus the local retention; now minus the
 * backdating window plus the future tolerance (no event can still arrive for that time); now minus the dedup window
 * (no id of the segment is still in the window, so the duplicate index never needs to read it back); the start of
 * the earliest open (not finalized) invoice period of any customer; and the instant through which a clean
 * reconciliation covered every tenant. Without a reconciliation nothing may leave.
 */
public final class RetentionHorizon {
    private final Duration localRetention;
    private final Duration acceptance;
    private final Duration dedupWindow;

    /**
     * @param localRetention how long segments stay local at least
     * @param acceptance the backdating window plus the future tolerance: how old an event may still be accepted
     * @param dedupWindow how long ids are kept for duplicate decisions
     */
    public RetentionHorizon(Duration localRetention, Duration acceptance, Duration dedupWindow) {
        this.localRetention = Objects.requireNonNull(localRetention);
        this.acceptance = Objects.requireNonNull(acceptance);
        this.dedupWindow = Objects.requireNonNull(dedupWindow);
        if (localRetention.isNegative() || acceptance.isNegative() || dedupWindow.isNegative()) {
            throw new IllegalArgumentException("retention windows must not be negative");
        }
    }

    /**
     * The instant through which a reconciliation must be clean before segments up to it may leave: the earliest of
     * the windows that do not depend on reconciliation, rounded down to an hour (reconciliation compares hours).
     */
    public Instant reconcileTarget(Instant now, Optional<Instant> earliestOpenPeriod) {
        Instant t = Stream.of(now.minus(localRetention), now.minus(acceptance), now.minus(dedupWindow),
                earliestOpenPeriod.orElse(now)).min(Instant::compareTo).orElseThrow();
        return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), 3600) * 3600);
    }

    /** The horizon: records strictly older than this may leave local disk. */
    public Instant at(Instant now, Optional<Instant> earliestOpenPeriod, Optional<Instant> reconciledThrough) {
        if (reconciledThrough.isEmpty()) {
            return Instant.EPOCH;
        }
        return Stream.of(now.minus(localRetention), now.minus(acceptance), now.minus(dedupWindow),
                earliestOpenPeriod.orElse(now), reconciledThrough.get()).min(Instant::compareTo).orElseThrow();
    }

    /** Whether a segment whose latest record is at {@code latest} may leave. */
    public boolean mayLeave(Instant latest, Instant now, Optional<Instant> earliestOpenPeriod,
            Optional<Instant> reconciledThrough) {
        return latest.isBefore(at(now, earliestOpenPeriod, reconciledThrough));
    }
}

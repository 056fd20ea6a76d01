package dev.tally.engine.archive;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention pass over the embedded log, on its own thread: compresses every closed segment, then, with a target,
 * archives the segments wholly older than the {@link RetentionHorizon}. Before a segment leaves it makes sure a
 * clean reconciliation covers it: each tenant whose {@link ReconcileWatermark} is behind the target is reconciled
 * from its mark to the target, and a difference stops archival (nothing leaves; the pass says why). One pass at a
 * time.
 */
public final class Archiver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Archiver.class);

    /** Reconciles one tenant's events of {@code [from, to)}; true when the raw events equal the live figures. */
    @FunctionalInterface
    public interface Reconciler {
        boolean clean(String tenant, Instant from, Instant to);
    }

    /** What the pass asks of the rest of the engine: the tenants, their open periods, reconciliation. */
    public record Ledger(Supplier<List<String>> tenants, Supplier<Optional<Instant>> earliestOpenPeriod,
            Reconciler reconciler) {
        public Ledger {
            Objects.requireNonNull(tenants);
            Objects.requireNonNull(earliestOpenPeriod);
            Objects.requireNonNull(reconciler);
        }
    }

    /** What one pass did, and, when it archived nothing more, why. */
    public record Pass(int compressed, int archived, Optional<String> held) {
    }

    private final LogArchive archive;
    private final RetentionHorizon horizon;
    private final ReconcileWatermark watermark;
    private final Ledger ledger;
    private final Clock clock;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tally-log-archiver");
        t.setDaemon(true);
        return t;
    });
    private volatile Optional<Pass> last = Optional.empty();

    public Archiver(LogArchive archive, RetentionHorizon horizon, ReconcileWatermark watermark, Ledger ledger,
            Clock clock) {
        this.archive = Objects.requireNonNull(archive);
        this.horizon = Objects.requireNonNull(horizon);
        this.watermark = Objects.requireNonNull(watermark);
        this.ledger = Objects.requireNonNull(ledger);
        this.clock = Objects.requireNonNull(clock);
    }

    /** Runs the pass every {@code every}, the first one after a delay of {@code every}. */
    public void start(Duration every) {
        long ms = every.toMillis();
        thread.scheduleWithFixedDelay(this::runQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }

    private void runQuietly() {
        try {
            run();
        } catch (RuntimeException e) {
            LOG.warn("log retention pass failed; nothing was lost, the next pass retries", e);
        }
    }

    /** The last pass's outcome (empty before the first). */
    public Optional<Pass> last() {
        return last;
    }

    /** Runs one pass now, on the calling thread. */
    public synchronized Pass run() {
        Pass p = pass();
        last = Optional.of(p);
        return p;
    }

    private Pass pass() {
        int compressed = archive.compressClosed();
        if (!archive.hasTarget()) {
            return new Pass(compressed, 0, Optional.of("no archive target is configured"));
        }
        Instant now = clock.instant();
        Optional<Instant> open = ledger.earliestOpenPeriod().get();
        Instant target = horizon.reconcileTarget(now, open);
        if (archive.olderThan(target).isEmpty()) {
            return new Pass(compressed, 0, Optional.of("no closed segment is wholly older than " + target));
        }
        List<String> tenants = ledger.tenants().get();
        for (String tenant : tenants) {
            Instant mark = watermark.of(tenant);
            if (mark.isBefore(target)) {
                if (!ledger.reconciler().clean(tenant, mark, target)) {
                    String why = "reconciliation of tenant " + tenant + " over [" + mark + ", " + target
                            + ") found differences";
                    LOG.warn("log archival held: {}; segments stay local until it is clean", why);
                    return new Pass(compressed, 0, Optional.of(why));
                }
                watermark.clean(tenant, mark, target);
            }
        }
        Instant h = horizon.at(now, open, watermark.lowest(tenants));
        int archived = 0;
        for (int segment : archive.olderThan(h)) {
            archive.archive(segment);
            archived++;
        }
        return new Pass(compressed, archived, archived > 0 ? Optional.empty()
                : Optional.of("no closed segment is wholly older than " + h));
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

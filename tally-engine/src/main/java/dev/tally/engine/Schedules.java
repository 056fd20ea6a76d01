package dev.tally.engine;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's background work: a maintenance thread (checkpoints, alerts, billing runs, webhooks, audit
 * pruning) and a thread of its own for dunning, which asks payment providers to collect, so a slow provider
 * never holds up billing runs or alerts. A failing job is logged and runs again at its next turn.
 */
final class Schedules implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Schedules.class);
    private final ScheduledExecutorService maintenance = daemon("tally-maintenance");
    private final ScheduledExecutorService dunning = daemon("tally-dunning");

    private static ScheduledExecutorService daemon(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** The maintenance thread, for components that schedule their own work on it. */
    ScheduledExecutorService maintenance() {
        return maintenance;
    }

    /** Runs {@code job} on the maintenance thread after {@code first}, then {@code every} after each run. */
    void every(Duration first, Duration every, String what, Runnable job) {
        schedule(maintenance, first, every, what, job);
    }

    /** Runs dunning on its own thread. */
    void dunningEvery(Duration every, Runnable job) {
        schedule(dunning, every, every, "scheduled dunning run (its due steps are tried again on the next run)", job);
    }

    private static void schedule(ScheduledExecutorService on, Duration first, Duration every, String what,
            Runnable job) {
        on.scheduleWithFixedDelay(() -> {
            try {
                job.run();
            } catch (RuntimeException e) {
                LOG.warn("{} failed", what, e);
            }
        }, first.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        maintenance.shutdownNow();
        dunning.shutdownNow();
    }
}

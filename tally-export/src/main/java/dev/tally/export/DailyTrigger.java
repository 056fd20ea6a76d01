package dev.tally.export;

import dev.tally.engine.exportschedule.StoredSchedule;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every tenant's due daily exports every 15 minutes on one daemon thread (the first run 15 minutes after
 * start). A failing tenant is logged and retried on the next tick; the others go on. Each day is exported once:
 * {@link ScheduledExports#runDue} only exports the days after the last one recorded, idempotently.
 */
public final class DailyTrigger implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DailyTrigger.class);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tally-daily-exports");
        t.setDaemon(true);
        return t;
    });

    public DailyTrigger(dev.tally.engine.Engine engine, ScheduledExports exports) {
        timer.scheduleWithFixedDelay(() -> {
            for (StoredSchedule s : engine.exportSchedules().all()) {
                try {
                    exports.runDue(s.tenant());
                } catch (RuntimeException e) {
                    LOG.warn("daily export of tenant {} failed; retrying on the next tick: {}", s.tenant(),
                            e.getClass().getSimpleName());
                }
            }
        }, 15, 15, TimeUnit.MINUTES);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

package dev.tally.engine.payment.dunning;

import static dev.tally.engine.payment.dunning.DunningFixture.JSON;
import static dev.tally.engine.payment.dunning.DunningFixture.MANUAL;
import static dev.tally.engine.payment.dunning.DunningFixture.T;
import static dev.tally.engine.payment.dunning.DunningFixture.fact;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.event.IngestLimits;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.notify.WebhookSettings;
import dev.tally.engine.secrets.SecretsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's scheduler runs dunning after its billing runs, with nobody calling it. */
class DunningSchedulerTest {
    @TempDir
    Path dir;

    @Test
    void theBillingSchedulerDoesTheDueStepsByItself() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-11-01T00:00:00Z"));
        EngineConfig config = new EngineConfig(dir, IngestLimits.DEFAULTS, Optional.empty(),
                EngineConfig.DEFAULT_SEGMENT_BYTES, Duration.ofMillis(50), Optional.empty(), WebhookSettings.MANUAL,
                SecretsConfig.DEFAULT);
        try (Engine e = Engine.open(config, clock)) {
            String id = DunningFixture.finalizedInvoice(e.billing());
            e.dunning().putPolicy(T, JSON.readTree("{\"retry_days\":[1],\"reminder_days_before_due\":[]}"));
            e.payments().record(MANUAL, T, id, fact("failed", "100", "card-1"));
            clock.set(Instant.parse("2026-11-02T00:00:00Z"));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (e.dunning().steps(T, id).size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(25); // waiting for the scheduler's thread, not for time to pass: the clock is fake
            }
            assertThat(e.dunning().steps(T, id)).extracting(DunningStep::step)
                    .containsExactlyInAnyOrder("failure_reminder:" + e.payments().facts(T, id).get(0).id(), "retry:1");
        }
    }
}

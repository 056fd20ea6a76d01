package dev.tally.engine.payment.dunning;

import static dev.tally.engine.payment.dunning.DunningFixture.JSON;
import static dev.tally.engine.payment.dunning.DunningFixture.MANUAL;
import static dev.tally.engine.payment.dunning.DunningFixture.T;
import static dev.tally.engine.payment.dunning.DunningFixture.count;
import static dev.tally.engine.payment.dunning.DunningFixture.fact;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.billing.EntitlementDecision.Denial;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.TwoEngines;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two engines on one PostgreSQL database, as two Tally processes whose schedulers run dunning at the same moments:
 * every step is done exactly once (one row, one webhook message), and a suspension made through one is answered by
 * the other's entitlement checks, as is its lifting.
 */
class DunningAcrossTwoEnginesTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-01T00:00:00Z"));
    TwoEngines engines;
    Engine a;
    Engine b;

    @TempDir
    Path dir;

    @BeforeEach
    void open() {
        engines = TwoEngines.open(dir, clock);
        a = engines.one();
        b = engines.two();
    }

    @AfterEach
    void close() {
        engines.close();
    }

    /** Both engines run dunning {@code rounds} times each, at the same time; returns the steps done in total. */
    int runBoth(int rounds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CyclicBarrier start = new CyclicBarrier(2);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (Engine e : List.of(a, b)) {
                runs.add(pool.submit(() -> {
                    start.await();
                    int n = 0;
                    for (int i = 0; i < rounds; i++) {
                        n += e.dunning().run(T);
                    }
                    return n;
                }));
            }
            int total = 0;
            for (Future<Integer> f : runs) {
                total += f.get();
            }
            return total;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void eachStepHappensOnceAcrossTwoProcesses() throws Exception {
        String id = DunningFixture.finalizedInvoice(a.billing());
        RecordingProvider provider = new RecordingProvider(0);
        a.payments().register(provider);
        b.payments().register(provider);
        b.dunning().putPolicy(T, JSON.readTree(DunningFixture.POLICY.replace("grace\",\"suspension_grace_days\":2",
                "hard\"")));
        clock.set(Instant.parse("2026-11-08T01:00:00Z"));
        assertThat(runBoth(3)).isEqualTo(1);
        clock.set(Instant.parse("2026-11-09T00:00:00Z"));
        b.payments().record(MANUAL, T, id, fact("failed", "100", "card-1"));
        assertThat(runBoth(3)).isEqualTo(1);
        clock.set(Instant.parse("2026-11-10T00:00:00Z"));
        assertThat(runBoth(3)).isEqualTo(1);
        clock.set(Instant.parse("2026-11-12T00:00:00Z"));
        assertThat(runBoth(3)).isEqualTo(1);
        assertThat(a.entitlements().check(T, "c1", "sso").allowed()).isTrue();
        clock.set(Instant.parse("2026-11-14T00:00:00Z"));
        assertThat(runBoth(3)).isEqualTo(1);
        assertThat(a.entitlements().check(T, "c1", "sso").decision().denial()).contains(Denial.SUSPENDED);
        assertThat(b.entitlements().check(T, "c1", "sso").decision().denial()).contains(Denial.SUSPENDED);

        a.payments().record(MANUAL, T, id, fact("succeeded", "100", "wire-1"));
        assertThat(b.entitlements().check(T, "c1", "sso").allowed()).as("lifted through a, seen by b").isTrue();
        assertThat(runBoth(3)).isZero();

        assertThat(count(engines.url(), "SELECT count(*) FROM dunning_steps")).isEqualTo(6);
        assertThat(count(engines.url(), "SELECT count(*) FROM outbox_messages WHERE type = 'invoice.payment_reminder'"))
                .as("before due, after the failure (the provider charges: no reminder per retry)").isEqualTo(2);
        assertThat(count(engines.url(), "SELECT count(*) FROM outbox_messages WHERE type = 'invoice.dunning_step'")).isEqualTo(4);
        assertThat(count(engines.url(), "SELECT count(*) FROM customer_suspensions")).as("one suspended, one lifted").isEqualTo(2);
        // The provider is asked before the step's row is written (no transaction is held across the call), so both
        // processes may ask for the same step at the same instant: always with the step's own idempotency key, so the
        // provider collects once (Stripe answers a repeated key with the first result); the step is recorded once.
        assertThat(provider.keys).as("only the two retries' keys, each asked by at most the two processes")
                .containsOnly("dunning:" + id + ":retry:1", "dunning:" + id + ":retry:2")
                .hasSizeBetween(2, 4);
        assertThat(provider.keys.stream().distinct()).hasSize(2);
    }
}

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
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.TestStore;
import dev.tally.engine.entitlement.EntitlementAnswer;
import dev.tally.engine.entitlement.SuspensionMode;
import dev.tally.engine.payment.PaymentStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole dunning schedule on a fake clock, on the embedded store and on PostgreSQL: a reminder before the due date,
 * a failed card, a reminder after it, two retries, overdue, uncollectible with a grace suspension that turns hard,
 * a restart that repeats nothing, and a payment that lifts the suspension at once.
 */
class DunningScheduleTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-01T00:00:00Z"));
    final List<String> databases = new ArrayList<>();

    @TempDir
    Path dir;

    static Stream<TestStore> stores() {
        return TestStore.both();
    }

    @AfterEach
    void dropDatabases() {
        databases.forEach(TestDatabases::drop);
    }

    String jdbc(TestStore store, EngineConfig config) {
        return store.postgres() ? config.databaseUrl().orElseThrow() : "jdbc:sqlite:" + dir.resolve("tally.db");
    }

    List<String> steps(Engine e, String id) {
        return e.dunning().steps(T, id).stream().map(DunningStep::step).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void runsAWholeScheduleFromFailureToSuspensionAndLiftsItWhenPaid(TestStore store) throws Exception {
        EngineConfig config = store.config(dir, databases);
        String url = jdbc(store, config);
        String id;
        try (Engine e = Engine.open(config, clock)) {
            id = DunningFixture.finalizedInvoice(e.billing());
            assertThat(e.billing().invoice(T, id).dueDate()).contains(java.time.LocalDate.parse("2026-11-11"));
            assertThat(e.dunning().run(T)).as("no policy: dunning is off").isZero();
            e.dunning().putPolicy(T, JSON.readTree(DunningFixture.POLICY));
            assertThat(e.dunning().run(T)).isZero();

            clock.set(Instant.parse("2026-11-08T01:00:00Z"));
            assertThat(e.dunning().run(T)).isEqualTo(1);
            assertThat(e.dunning().run(T)).as("a step happens once").isZero();
            assertThat(steps(e, id)).containsExactly("reminder_before_due:3");

            clock.set(Instant.parse("2026-11-09T00:00:00Z"));
            e.payments().record(MANUAL, T, id, fact("failed", "100", "card-declined-1"));
            assertThat(e.dunning().run(T)).isEqualTo(1);
            assertThat(e.dunning().isOverdue(e.billing().invoice(T, id))).isFalse();

            clock.set(Instant.parse("2026-11-10T00:00:00Z"));
            assertThat(e.dunning().run(T)).isEqualTo(1);
            DunningStep retry = e.dunning().steps(T, id).get(2);
            assertThat(retry.step()).isEqualTo("retry:1");
            assertThat(retry.detail().get("outcome").asText()).isEqualTo("not_collected");
            assertThat(retry.detail().get("idempotency_key").asText()).isEqualTo("dunning:" + id + ":retry:1");

            clock.set(Instant.parse("2026-11-12T00:00:00Z"));
            assertThat(e.dunning().run(T)).isEqualTo(1);
            assertThat(e.dunning().isOverdue(e.billing().invoice(T, id))).isTrue();
            assertThat(e.dunning().overdue(T, Optional.empty(), Optional.of(PaymentStatus.FAILED), 10))
                    .extracting(i -> i.id()).containsExactly(id);
            assertThat(e.entitlements().check(T, "c1", "sso").allowed()).isTrue();
        }
        try (Engine e = Engine.open(config, clock)) {
            assertThat(e.dunning().run(T)).as("a restart repeats nothing").isZero();
            clock.set(Instant.parse("2026-11-14T00:00:00Z"));
            assertThat(e.dunning().run(T)).isEqualTo(1);
            assertThat(e.dunning().state(e.billing().invoice(T, id)).uncollectibleAt())
                    .contains(Instant.parse("2026-11-14T00:00:00Z"));
            EntitlementAnswer inGrace = e.entitlements().check(T, "c1", "sso");
            assertThat(inGrace.allowed()).isTrue();
            assertThat(inGrace.suspension().orElseThrow().modeAt(clock.instant())).isEqualTo(SuspensionMode.GRACE);

            clock.set(Instant.parse("2026-11-16T00:00:00Z"));
            EntitlementAnswer cut = e.entitlements().check(T, "c1", "sso");
            assertThat(cut.allowed()).isFalse();
            assertThat(cut.decision().denial()).contains(Denial.SUSPENDED);
            assertThat(e.dunning().run(T)).isZero();
        }
        try (Engine e = Engine.open(config, clock)) {
            assertThat(e.entitlements().check(T, "c1", "sso").decision().denial()).as("after a restart")
                    .contains(Denial.SUSPENDED);
            e.payments().record(MANUAL, T, id, fact("succeeded", "100", "wire-1"));
            assertThat(e.entitlements().check(T, "c1", "sso").allowed()).as("lifted at once when paid").isTrue();
            assertThat(e.entitlements().check(T, "c1", "sso").suspension()).isEmpty();
            assertThat(e.dunning().run(T)).isZero();
            assertThat(e.dunning().isOverdue(e.billing().invoice(T, id))).isFalse();
            assertThat(steps(e, id)).containsExactly("reminder_before_due:3", "failure_reminder:"
                    + e.payments().facts(T, id).get(0).id(), "retry:1", "retry:2", "uncollectible", "suspension_lifted");
        }
        assertThat(count(url, "SELECT count(*) FROM outbox_messages WHERE type = 'invoice.payment_reminder'"))
                .as("before due, after the failure, and one per retry of a manual invoice").isEqualTo(4);
        assertThat(count(url, "SELECT count(*) FROM outbox_messages WHERE type = 'invoice.dunning_step'"))
                .as("two retries, uncollectible, lifted").isEqualTo(4);
        assertThat(count(url, "SELECT count(*) FROM dunning_steps")).isEqualTo(6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aLateRunDoesOnlyTheLatestDueRetryAndSkipsTheEarlierOnes(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            String id = DunningFixture.finalizedInvoice(e.billing());
            e.dunning().putPolicy(T, JSON.readTree("{\"retry_days\":[1,2,3],\"reminder_days_before_due\":[],"
                    + "\"remind_after_failure\":false,\"uncollectible_after_days\":10}"));
            e.payments().record(MANUAL, T, id, fact("failed", "100", "card-1"));
            clock.set(Instant.parse("2026-11-03T12:00:00Z"));
            assertThat(e.dunning().run(T)).isEqualTo(2);
            assertThat(e.dunning().steps(T, id)).extracting(s -> s.step() + "=" + s.kind().wireName())
                    .containsExactlyInAnyOrder("retry:1=retry_skipped", "retry:2=retry");
            e.payments().record(MANUAL, T, id, fact("succeeded", "100", "wire-1"));
            clock.set(Instant.parse("2026-11-30T00:00:00Z"));
            assertThat(e.dunning().run(T)).as("a paid invoice leaves dunning").isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void theRetryButtonRetriesOnceAndRefusesAPaidInvoice(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            String id = DunningFixture.finalizedInvoice(e.billing());
            e.payments().record(MANUAL, T, id, fact("failed", "100", "card-1"));
            DunningStep first = e.dunning().retryNow(T, id);
            DunningStep second = e.dunning().retryNow(T, id);
            assertThat(first.step()).isEqualTo("manual_retry:1");
            assertThat(second.step()).isEqualTo("manual_retry:2");
            assertThat(second.detail().get("attempt").asInt()).isEqualTo(2);
            e.payments().record(MANUAL, T, id, fact("succeeded", "100", "wire-1"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> e.dunning().retryNow(T, id))
                    .isInstanceOf(dev.tally.engine.payment.PaymentConflictException.class)
                    .hasMessageContaining("succeeded");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aRetryWhoseProviderIsDownIsTriedAgainWithTheSameIdempotencyKey(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            String id = DunningFixture.finalizedInvoice(e.billing());
            RecordingProvider provider = new RecordingProvider(1);
            e.payments().register(provider);
            e.dunning().putPolicy(T, JSON.readTree("{\"retry_days\":[1],\"reminder_days_before_due\":[],"
                    + "\"remind_after_failure\":false}"));
            e.payments().record(MANUAL, T, id, fact("failed", "100", "card-1"));
            clock.set(Instant.parse("2026-11-02T00:00:00Z"));
            assertThat(e.dunning().run(T)).as("the provider is down: nothing recorded").isZero();
            assertThat(e.dunning().steps(T, id)).isEmpty();
            assertThat(e.dunning().run(T)).isEqualTo(1);
            assertThat(e.dunning().run(T)).isZero();
            assertThat(provider.keys).containsExactly("dunning:" + id + ":retry:1", "dunning:" + id + ":retry:1");
            DunningStep step = e.dunning().steps(T, id).get(0);
            assertThat(step.detail().get("outcome").asText()).isEqualTo("requested");
            assertThat(step.detail().get("reference").asText()).isEqualTo("ch_1");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void anOutageStopsTheRunAskingTheProviderForTheOtherInvoices(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            String first = DunningFixture.finalizedInvoice(e.billing());
            e.billing().createCustomer(T, JSON.readTree("{\"external_id\":\"c2\",\"timezone\":\"UTC\","
                    + "\"currency\":\"EUR\",\"net_terms_days\":10}"));
            e.billing().subscribe(T, JSON.readTree("{\"customer\":\"c2\",\"plan\":\"p\"}"));
            e.billing().run(T);
            String second = e.billing().finalizeInvoice(T, e.billing().invoices(T, Optional.of("c2"), Optional.empty(), 10)
                    .get(0).id()).id();
            RecordingProvider provider = new RecordingProvider(1);
            e.payments().register(provider);
            e.dunning().putPolicy(T, JSON.readTree("{\"retry_days\":[1],\"reminder_days_before_due\":[],"
                    + "\"remind_after_failure\":false}"));
            e.payments().record(MANUAL, T, first, fact("failed", "100", "card-1"));
            e.payments().record(MANUAL, T, second, fact("failed", "100", "card-2"));
            clock.set(Instant.parse("2026-11-02T00:00:00Z"));
            assertThat(e.dunning().run(T)).as("the provider is down: nothing done").isZero();
            assertThat(provider.keys).as("asked once, not once per invoice").hasSize(1);
            assertThat(e.dunning().run(T)).isEqualTo(2);
            assertThat(provider.keys).hasSize(3).contains("dunning:" + first + ":retry:1", "dunning:" + second + ":retry:1");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aSlowProviderHoldsNoTransactionWhileBillingGoesOn(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            String id = DunningFixture.finalizedInvoice(e.billing());
            java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
            RecordingProvider recording = new RecordingProvider(0);
            e.payments().register(new dev.tally.engine.payment.PaymentProvider() {
                @Override
                public String name() {
                    return "slow";
                }

                @Override
                public boolean collects(String tenant, String invoiceId) {
                    return true;
                }

                @Override
                public dev.tally.engine.payment.RetryOutcome retry(dev.tally.engine.payment.RetryRequest request) {
                    asked.countDown();
                    try {
                        answer.await();
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                    return recording.retry(request);
                }
            });
            e.dunning().putPolicy(T, JSON.readTree("{\"retry_days\":[1],\"reminder_days_before_due\":[],"
                    + "\"remind_after_failure\":false}"));
            e.payments().record(MANUAL, T, id, fact("failed", "100", "card-1"));
            clock.set(Instant.parse("2026-11-02T00:00:00Z"));
            // own threads: the common pool may have a single thread on a 2-core machine
            java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
            java.util.concurrent.CompletableFuture<Integer> dunning =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> e.dunning().run(T), threads);
            assertThat(asked.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            // while the provider has not answered, metadata writes and a billing run go through (on the embedded
            // store a transaction held open around the call would block them: it has one writer)
            java.util.concurrent.CompletableFuture<Void> writes = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    e.billing().createCustomer(T, JSON.readTree("{\"external_id\":\"c-slow\",\"timezone\":\"UTC\","
                            + "\"currency\":\"EUR\"}"));
                } catch (java.io.IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
                e.billing().run(T);
            }, threads);
            try {
                writes.get(20, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(dunning).isNotDone();
            } finally {
                answer.countDown();
            }
            assertThat(dunning.get(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1);
            threads.shutdown();
            assertThat(recording.keys).containsExactly("dunning:" + id + ":retry:1");
        }
    }
}

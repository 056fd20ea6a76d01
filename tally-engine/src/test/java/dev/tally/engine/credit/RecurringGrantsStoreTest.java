package dev.tally.engine.credit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.billing.CreditGrantRule;
import dev.tally.core.event.Json;
import dev.tally.core.ledger.Funding;
import dev.tally.core.ledger.Grant;
import dev.tally.core.ledger.LedgerEntry;
import dev.tally.core.ledger.Rollover;
import dev.tally.core.ledger.Wallet;
import dev.tally.core.money.Money;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.TwoEngines;
import dev.tally.engine.TestStore;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.store.Database;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Recurring grants and their rollover, applied by billing runs at each boundary, behave the same on the embedded
 * store and on PostgreSQL, survive restarts, and happen once across two processes.
 */
class RecurringGrantsStoreTest {
    static final String T = Engine.DEFAULT_TENANT;
    static final Currency USD = Currency.getInstance("USD");
    static final Instant NOV = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant DEC = Instant.parse("2026-12-01T00:00:00Z");
    static final Instant JAN = Instant.parse("2027-01-01T00:00:00Z");
    final ObjectMapper json = Json.newMapper();
    final ManualClock clock = new ManualClock(NOV);
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

    static Money usd(String s) {
        return new Money(new BigDecimal(s), USD);
    }

    /** Base fee 20.00 in arrears; credits: 30.00 a month rolling over up to 10.00, and 5.00 at priority 1 that never rolls over. */
    void setUp(Engine e, Duration grace) throws Exception {
        e.billing().createPlan(T, json.readTree("{\"key\":\"p\",\"name\":\"P\",\"currency\":\"USD\",\"interval\":\"monthly\","
                + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"20\",\"timing\":\"in_arrears\"}],"
                + "\"credit_grants\":[{\"amount\":\"30.00\",\"rollover\":{\"up_to\":\"10.00\"},\"reason\":\"Monthly credits\"},"
                + "{\"amount\":\"5.00\",\"priority\":1,\"rollover\":\"none\",\"reason\":\"Bonus\"}]}"));
        e.billing().createCustomer(T, json.readTree("{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        e.billing().subscribe(T, json.readTree("{\"customer\":\"acme\",\"plan\":\"p\",\"start\":\"2026-11-01T00:00:00Z\"}"));
        e.billing().setGracePeriod(T, grace);
    }

    static List<String> ledger(Wallet w) {
        return w.entries().stream().map(en -> en.kind().wireName() + " " + en.amount().plainString()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void grantsEveryPeriodOnceAndRollsOverUpToTheCapAcrossRestarts(TestStore store) throws Exception {
        EngineConfig config = store.config(dir, databases);
        try (Engine e = Engine.open(config, clock)) {
            setUp(e, Duration.ZERO);
            e.billing().run(T);
            Wallet w = e.billing().credits().wallet(T, "acme", USD);
            assertThat(ledger(w)).containsExactly("grant 30.00", "grant 5.00");
            assertThat(w.grants()).extracting(Grant::effectiveFrom).containsOnly(NOV);
            assertThat(w.grants()).extracting(Grant::source).allMatch(s -> s.startsWith("subscription:sub_"));
            e.billing().run(T);
            assertThat(e.billing().credits().wallet(T, "acme", USD).entries()).as("once").hasSize(2);
        }
        clock.set(DEC);
        try (Engine e = Engine.open(config, clock)) {
            e.billing().run(T);
            // December 1 invoice 20.00: Bonus (priority 1) 5.00, then Monthly credits 15.00; rollover: Monthly keeps
            // 10.00 of its 15.00 (5.00 expires), Bonus has nothing left; then December's two grants
            Wallet w = e.billing().credits().wallet(T, "acme", USD);
            assertThat(ledger(w)).containsExactly("grant 30.00", "grant 5.00", "drawdown -5.00", "drawdown -15.00",
                    "expiry -5.00", "grant 30.00", "grant 5.00");
            assertThat(w.entries().get(4).at()).isEqualTo(DEC);
            assertThat(w.balance()).isEqualTo(usd("45.00"));
            Invoice dec = e.billing().invoices(T, Optional.of("acme"), Optional.empty(), 10).get(0);
            assertThat(dec.amountDue()).isEqualTo(usd("0.00"));
        }
        try (Engine e = Engine.open(config, clock)) {
            e.billing().run(T);
            assertThat(e.billing().credits().wallet(T, "acme", USD).entries()).as("after a restart, once").hasSize(7);
        }
        clock.set(JAN);
        try (Engine e = Engine.open(config, clock)) {
            e.billing().run(T);
            // January 1 invoice 20.00: Bonus of December 5.00, then the oldest Monthly (November, 10.00), then 5.00
            // of December's; rollover: 0.00 + 25.00 left, capped at 10.00: 15.00 of December's expires
            Wallet w = e.billing().credits().wallet(T, "acme", USD);
            assertThat(ledger(w).subList(7, ledger(w).size())).containsExactly("drawdown -5.00", "drawdown -10.00",
                    "drawdown -5.00", "expiry -15.00", "grant 30.00", "grant 5.00");
            assertThat(w.balance()).isEqualTo(usd("45.00"));
            assertThat(w.entries()).filteredOn(en -> en.kind() == dev.tally.core.ledger.EntryKind.EXPIRY)
                    .extracting(LedgerEntry::source).allMatch(s -> s.startsWith("rollover:sub_"));
        }
    }

    @Test
    void waitsForTheBoundarysInvoiceToBeFinalizedBeforeRollingOverAndGranting() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            setUp(e, Duration.ofHours(1));
            e.billing().run(T);
            clock.set(DEC);
            e.billing().run(T);
            assertThat(ledger(e.billing().credits().wallet(T, "acme", USD))).as("December's invoice is a draft")
                    .containsExactly("grant 30.00", "grant 5.00");
            clock.set(DEC.plus(Duration.ofHours(1)));
            e.billing().run(T);
            assertThat(ledger(e.billing().credits().wallet(T, "acme", USD))).containsExactly("grant 30.00",
                    "grant 5.00", "drawdown -5.00", "drawdown -15.00", "expiry -5.00", "grant 30.00", "grant 5.00");
        }
    }

    @Test
    void twoProcessesAtTheSameBoundaryGrantOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (TwoEngines engines = TwoEngines.open(dir, clock)) {
            Engine one = engines.one();
            Engine two = engines.two();
            setUp(one, Duration.ZERO);
            clock.set(DEC);
            // two whole billing runs at once, one per process
            CountDownLatch go = new CountDownLatch(1);
            Future<?> a = pool.submit(() -> {
                go.await();
                return one.billing().run(T);
            });
            Future<?> b = pool.submit(() -> {
                go.await();
                return two.billing().run(T);
            });
            go.countDown();
            a.get();
            b.get();
            Wallet w = two.billing().credits().wallet(T, "acme", USD);
            assertThat(ledger(w)).containsExactly("grant 30.00", "grant 5.00", "drawdown -5.00", "drawdown -15.00",
                    "expiry -5.00", "grant 30.00", "grant 5.00");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void eightWritersOnTwoConnectionPoolsWithoutTheBillingRunLockStillGrantOnce() throws Exception {
        String url = TestDatabases.createMigrated();
        databases.add(url);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (Engine one = Engine.open(EngineConfig.of(dir.resolve("one")).onPostgres(url)
                        .withSecrets(TestDatabases.SECRETS), clock);
                Database dbOne = Database.postgres(url);
                Database dbTwo = Database.postgres(url)) {
            one.billing().createCustomer(T, json.readTree("{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
            CreditGrantRule monthly = new CreditGrantRule(usd("100.00"), 100, Set.of(), Funding.FREE, Optional.empty(),
                    new CreditGrantRule.Never(), new Rollover.UpTo(usd("40.00")), "Monthly credits");
            GrantSchedules schedule = (tenant, now, done) -> List.of(new GrantSchedules.Schedule("sub_x", "acme", USD, List.of(
                    new GrantSchedules.Boundary(NOV, Optional.of(DEC), Optional.of(JAN), List.of(monthly), true),
                    new GrantSchedules.Boundary(DEC, Optional.of(JAN), Optional.of(Instant.parse("2027-02-01T00:00:00Z")),
                            List.of(monthly), true))));
            List<RecurringGrants> writers = List.of(
                    new RecurringGrants(new Credits(dbOne, clock), dbOne, schedule, clock),
                    new RecurringGrants(new Credits(dbTwo, clock), dbTwo, schedule, clock));
            clock.set(DEC);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<RecurringGrants.Applied>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                RecurringGrants w = writers.get(i % 2);
                results.add(pool.submit(() -> {
                    go.await();
                    return w.apply(T, clock.instant());
                }));
            }
            go.countDown();
            int grants = 0;
            int rolled = 0;
            for (Future<RecurringGrants.Applied> f : results) {
                try {
                    grants += f.get().grants();
                    rolled += f.get().rolloverEntries();
                } catch (java.util.concurrent.ExecutionException ex) {
                    // a writer that lost a race to the unique constraints is refused, never doubled
                    assertThat(ex.getCause()).isInstanceOf(CreditConflictException.class);
                }
            }
            assertThat(grants).isEqualTo(2);
            assertThat(rolled).isEqualTo(1);
            Wallet w = one.billing().credits().wallet(T, "acme", USD);
            assertThat(ledger(w)).containsExactly("grant 100.00", "expiry -60.00", "grant 100.00");
            assertThat(w.balance()).isEqualTo(usd("140.00"));
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void noneExpiresWhatIsLeftAtTheBoundaryAllKeepsItAndEndOfNextPeriodExpiresOnItsOwn(TestStore store)
            throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            e.billing().createPlan(T, json.readTree("{\"key\":\"p\",\"name\":\"P\",\"currency\":\"USD\","
                    + "\"interval\":\"monthly\",\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\","
                    + "\"amount\":\"0\",\"timing\":\"in_arrears\"}],\"credit_grants\":["
                    + "{\"amount\":\"7.00\",\"rollover\":\"none\",\"reason\":\"None\"},"
                    + "{\"amount\":\"3.00\",\"rollover\":\"all\",\"reason\":\"All\"},"
                    + "{\"amount\":\"2.00\",\"rollover\":\"all\",\"expires_after\":\"end_of_next_period\",\"reason\":\"Short\"}]}"));
            e.billing().createCustomer(T, json.readTree("{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
            e.billing().subscribe(T, json.readTree("{\"customer\":\"acme\",\"plan\":\"p\",\"start\":\"2026-11-01T00:00:00Z\"}"));
            e.billing().setGracePeriod(T, Duration.ZERO);
            e.billing().run(T);
            Wallet nov = e.billing().credits().wallet(T, "acme", USD);
            assertThat(nov.grants()).extracting(g -> g.expiresAt().map(Instant::toString).orElse("never"))
                    .containsExactly("never", "never", JAN.toString());
            clock.set(DEC);
            e.billing().run(T);
            // nothing was drawn (0.00 invoices): None's 7.00 expires at the boundary, All and Short roll over
            assertThat(ledger(e.billing().credits().wallet(T, "acme", USD))).containsExactly("grant 7.00",
                    "grant 3.00", "grant 2.00", "expiry -7.00", "grant 7.00", "grant 3.00", "grant 2.00");
            clock.set(JAN);
            e.billing().run(T);
            // January 1: November's Short expires on its own (end of the next period), December's None by rollover
            Wallet jan = e.billing().credits().wallet(T, "acme", USD);
            assertThat(ledger(jan).subList(7, ledger(jan).size())).containsExactly("expiry -2.00", "expiry -7.00",
                    "grant 7.00", "grant 3.00", "grant 2.00");
            assertThat(jan.balance()).isEqualTo(usd("3.00").plus(usd("3.00")).plus(usd("2.00")).plus(usd("12.00")));
        }
    }
}

package dev.tally.engine.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.core.money.Money;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.TestStore;
import dev.tally.engine.credit.Credits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A billing run composes an open draft again iff one of its inputs changed since it was last rated: one test per
 * input (a changed input re-rates that customer's draft, the next run with nothing changed re-rates none), on both
 * stores. Three customers each have a draft in its grace period; customer "a" is the one changed.
 */
class ReRatingTest {
    static final String T = Engine.DEFAULT_TENANT;
    static final Currency USD = Currency.getInstance("USD");
    static final String PLAN = "{\"key\":\"p\",\"name\":\"P\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
            + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"10\",\"timing\":\"in_arrears\"},"
            + "{\"key\":\"calls\",\"type\":\"usage\",\"name\":\"Calls\",\"meter\":\"calls\",\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"}},"
            + "{\"key\":\"seats\",\"type\":\"licensed\",\"name\":\"Seats\",\"timing\":\"in_advance\","
            + "\"price\":{\"model\":\"unit\",\"unit_price\":\"5\"}}]}";
    final ObjectMapper json = Json.newMapper();
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

    /** Three customers with two November calls each, billed at 12-01 (grace one hour); the run after re-rates none. */
    private Engine billed(TestStore store) throws Exception {
        Engine e = Engine.open(store.config(dir, databases), clock);
        e.createMeter(T, json.readTree("{\"key\":\"calls\",\"event_type\":\"call\",\"aggregation\":\"count\"}"));
        Billing b = e.billing();
        b.createPlan(T, json.readTree(PLAN));
        b.createPlan(T, json.readTree(PLAN.replace("\"key\":\"p\"", "\"key\":\"p2\"").replace("\"10\"", "\"20\"")));
        for (String c : List.of("a", "b", "c")) {
            b.createCustomer(T, json.readTree("{\"external_id\":\"" + c + "\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
            b.subscribe(T, json.readTree("{\"customer\":\"" + c + "\",\"plan\":\"p\"}"));
        }
        b.discounts().createCoupon(T, json.readTree("{\"key\":\"ten\",\"name\":\"Ten\",\"percent_off\":\"10\","
                + "\"duration\":\"forever\"}"));
        clock.set(Instant.parse("2026-11-10T00:00:00Z"));
        for (String c : List.of("a", "b", "c")) {
            send(e, call(c + "1", c, "2026-11-05T00:00:00Z"), call(c + "2", c, "2026-11-06T00:00:00Z"));
        }
        b.run(T);
        clock.set(Instant.parse("2026-11-10T02:00:00Z"));
        b.run(T); // the opening invoices (seats in advance: none yet) are past their grace period
        clock.set(Instant.parse("2026-12-01T00:00:00Z"));
        BillingRunResult closing = b.run(T);
        assertThat(closing.created()).isEqualTo(3);
        assertThat(closing.inGrace()).isEqualTo(3);
        clock.set(Instant.parse("2026-12-01T00:05:00Z"));
        BillingRunResult quiet = b.run(T);
        assertThat(quiet.rerated()).isZero();
        assertThat(quiet.unchanged()).isEqualTo(3);
        return e;
    }

    private void send(Engine e, String... events) {
        String body = "[" + String.join(",", events) + "]";
        e.ingest(T, e.eventReader().read(body.getBytes(StandardCharsets.UTF_8), CloudEventReader.BodyShape.BATCH));
    }

    private static String call(String id, String customer, String time) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"s\",\"type\":\"call\",\"subject\":\""
                + customer + "\",\"time\":\"" + time + "\",\"data\":{}}";
    }

    private static Invoice draftOf(Billing b, String customer) {
        return b.invoices(T, Optional.of(customer), Optional.of(InvoiceStatus.DRAFT), 10).get(0);
    }

    /** Applies a change, then: the next run re-rates {@code rerated} drafts, and the run after that none. */
    private void reRates(TestStore store, int rerated, Consumer<Engine> change) throws Exception {
        try (Engine e = billed(store)) {
            clock.set(Instant.parse("2026-12-01T00:10:00Z"));
            change.accept(e);
            BillingRunResult r = e.billing().run(T);
            assertThat(r.rerated()).as("re-rated after the change").isEqualTo(rerated);
            assertThat(r.unchanged()).isEqualTo(3 - rerated);
            clock.set(Instant.parse("2026-12-01T00:15:00Z"));
            BillingRunResult again = e.billing().run(T);
            assertThat(again.rerated()).as("re-rated with nothing changed").isZero();
            assertThat(again.unchanged()).isEqualTo(3);
        }
    }

    private static void unchecked(ThrowingRunnable r) {
        try {
            r.run();
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aRunWithNothingChangedReRatesNoDraftAndFinalizesThemAsTheyAreAfterTheGracePeriod(TestStore store) throws Exception {
        try (Engine e = billed(store)) {
            Money before = draftOf(e.billing(), "a").totals().total();
            clock.set(Instant.parse("2026-12-01T01:00:00Z"));
            BillingRunResult r = e.billing().run(T);
            assertThat(r.rerated()).isZero();
            assertThat(r.finalized()).isEqualTo(3);
            assertThat(r.inGrace()).isZero();
            // the three opening invoices (INV-000001..3) and the three closing ones, numbered without a gap
            List<Invoice> all = e.billing().invoices(T, Optional.empty(), Optional.of(InvoiceStatus.FINALIZED), 10)
                    .stream().filter(i -> i.boundary().equals(Instant.parse("2026-12-01T00:00:00Z"))).toList();
            assertThat(all).hasSize(3);
            assertThat(all.stream().map(i -> i.number().orElseThrow()).sorted())
                    .containsExactly("INV-000004", "INV-000005", "INV-000006");
            Invoice a = all.stream().filter(i -> i.customer().equals("a")).findFirst().orElseThrow();
            assertThat(a.totals().total()).isEqualTo(before);
            assertThat(a.totals().total()).isEqualTo(Money.of("12.00", USD)); // 10 base + 2 calls
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aBackdatedEventReRatesItsCustomersDraftWithTheEvent(TestStore store) throws Exception {
        try (Engine e = billed(store)) {
            clock.set(Instant.parse("2026-12-01T00:10:00Z"));
            send(e, call("late", "a", "2026-11-20T00:00:00Z"));
            BillingRunResult r = e.billing().run(T);
            assertThat(r.rerated()).isEqualTo(1);
            assertThat(draftOf(e.billing(), "a").totals().total()).isEqualTo(Money.of("13.00", USD));
            assertThat(draftOf(e.billing(), "b").totals().total()).isEqualTo(Money.of("12.00", USD));
            assertThat(e.billing().run(T).rerated()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void anEventOfTheNewPeriodReRatesItsCustomersDraft(TestStore store) throws Exception {
        reRates(store, 1, e -> send(e, call("dec", "a", "2026-12-01T00:09:00Z")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aCancelledEventReRatesItsCustomersDraftWithoutTheEvent(TestStore store) throws Exception {
        try (Engine e = billed(store)) {
            clock.set(Instant.parse("2026-12-01T00:10:00Z"));
            e.cancel(T, "s", "a1");
            assertThat(e.billing().run(T).rerated()).isEqualTo(1);
            assertThat(draftOf(e.billing(), "a").totals().total()).isEqualTo(Money.of("11.00", USD));
            assertThat(e.billing().run(T).rerated()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aPlanChangeReRatesTheSubscriptionsDraft(TestStore store) throws Exception {
        reRates(store, 1, e -> unchecked(() -> e.billing().changePlan(T,
                e.billing().subscriptionsOf(T, "a").get(0).id(), json.readTree("{\"plan\":\"p2\"}"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aCancellationReRatesTheSubscriptionsDraft(TestStore store) throws Exception {
        reRates(store, 1, e -> unchecked(() -> e.billing().cancel(T,
                e.billing().subscriptionsOf(T, "a").get(0).id(), json.readTree("{\"at_period_end\":true}"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aCustomerChangeReRatesTheCustomersDraft(TestStore store) throws Exception {
        reRates(store, 1, e -> unchecked(() -> e.billing().customerRecords().update(T, "a",
                json.readTree("{\"tax_rates\":[{\"name\":\"VAT\",\"percent\":\"20\"}]}"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aQuantityChangeReRatesTheSubscriptionsDraft(TestStore store) throws Exception {
        reRates(store, 1, e -> unchecked(() -> e.billing().quantities().record(T,
                e.billing().subscriptionsOf(T, "a").get(0).id(), json.readTree("{\"charge\":\"seats\",\"quantity\":\"3\"}"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aCreditGrantReRatesTheCustomersDraft(TestStore store) throws Exception {
        reRates(store, 1, e -> e.billing().credits().grant(T, "a", new Credits.GrantRequest(Money.of("5.00", USD), 100,
                Optional.empty(), Optional.empty(), Set.of(), dev.tally.core.ledger.Funding.FREE, Optional.empty(), "promo"), "test"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aCouponRedemptionReRatesTheSubscriptionsDraft(TestStore store) throws Exception {
        reRates(store, 1, e -> unchecked(() -> e.billing().discounts().redeem(T,
                e.billing().subscriptionsOf(T, "a").get(0).id(), json.readTree("{\"coupon\":\"ten\"}"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aTenantWideChangeReRatesEveryDraft(TestStore store) throws Exception {
        reRates(store, 3, e -> unchecked(() -> e.billing().discounts().createCoupon(T,
                json.readTree("{\"key\":\"five\",\"name\":\"Five\",\"percent_off\":\"5\",\"duration\":\"forever\"}"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aRestartReRatesEveryDraftOnceForItsUsageIsAnotherStoresNow(TestStore store) throws Exception {
        List<String> dbs = databases;
        try (Engine e = billed(store)) {
            assertThat(e.billing().run(T).rerated()).isZero();
        }
        // the same store again (on PostgreSQL the database billed() made)
        dev.tally.engine.EngineConfig config = store.postgres()
                ? dev.tally.engine.EngineConfig.of(dir).onPostgres(dbs.get(dbs.size() - 1)) : dev.tally.engine.EngineConfig.of(dir);
        try (Engine e = Engine.open(config, clock)) {
            assertThat(e.billing().run(T).rerated()).isEqualTo(3);
            assertThat(e.billing().run(T).rerated()).isZero();
            assertThat(draftOf(e.billing(), "a").totals().total()).isEqualTo(Money.of("12.00", USD));
        }
    }
}

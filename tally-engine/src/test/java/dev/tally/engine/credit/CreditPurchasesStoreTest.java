package dev.tally.engine.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.billing.LineKind;
import dev.tally.core.event.Json;
import dev.tally.core.ledger.EntryKind;
import dev.tally.core.ledger.Funding;
import dev.tally.core.ledger.Grant;
import dev.tally.core.ledger.Wallet;
import dev.tally.core.money.Money;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.TwoEngines;
import dev.tally.engine.TestStore;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.billing.InvoiceStatus;
import java.math.BigDecimal;
import java.nio.file.Path;
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
 * Buying credits (a paid grant and its one-off invoice) and automatic top-ups, on the embedded store and on
 * PostgreSQL; a top-up fires once per crossing, also with two processes checking at once.
 */
class CreditPurchasesStoreTest {
    static final String T = Engine.DEFAULT_TENANT;
    static final Currency USD = Currency.getInstance("USD");
    final ObjectMapper json = Json.newMapper();
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-10T12:00:00Z"));
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

    void customer(Engine e) throws Exception {
        e.billing().createCustomer(T, json.readTree("{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
    }

    static Credits.GrantRequest paid(String amount, String price) {
        return new Credits.GrantRequest(usd(amount), 100, Optional.empty(), Optional.empty(), Set.of(), Funding.PAID,
                Optional.of(usd(price)), "Prepaid credits");
    }

    List<Invoice> invoices(Engine e) {
        return e.billing().invoices(T, Optional.of("acme"), Optional.empty(), 100);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aPurchaseIssuesAFinalizedNumberedInvoiceOfThePriceAndItsVoidVoidsTheUnusedGrant(TestStore store)
            throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            customer(e);
            CreditPurchases.Purchase p = e.billing().creditPurchases().buy(T, "acme", paid("100.00", "90.00"), "test");
            Invoice inv = e.billing().invoice(T, p.invoice().orElseThrow().invoiceId());
            assertThat(inv.status()).isEqualTo(InvoiceStatus.FINALIZED);
            assertThat(inv.number()).contains("INV-000001");
            assertThat(inv.subscriptionId()).isEmpty();
            assertThat(inv.totals().total()).isEqualTo(usd("90.00"));
            assertThat(inv.totals().taxTotal()).isEqualTo(usd("0.00"));
            assertThat(inv.amountDue()).isEqualTo(usd("90.00"));
            assertThat(inv.dueDate()).isPresent();
            assertThat(inv.lines()).singleElement().satisfies(l -> {
                assertThat(l.kind()).isEqualTo(LineKind.CREDIT_PURCHASE);
                assertThat(l.amount()).isEqualTo(usd("90.00"));
            });
            Wallet w = e.billing().credits().wallet(T, "acme", USD);
            assertThat(w.usableAt(clock.instant())).extracting(gb -> gb.balance()).containsExactly(usd("100.00"));
            assertThat(w.entries().get(0).invoiceId()).contains(inv.id());
            assertThat(e.billing().reconcileLedger(T).differences()).isEmpty();

            e.billing().voidInvoice(T, inv.id());
            Wallet after = e.billing().credits().wallet(T, "acme", USD);
            assertThat(after.entries()).extracting(en -> en.kind()).containsExactly(EntryKind.GRANT, EntryKind.VOID);
            assertThat(after.balance()).isEqualTo(usd("0.00"));
            assertThat(e.billing().reconcileLedger(T).differences()).isEmpty();
        }
    }

    @Test
    void aPurchaseWhoseCreditsWereUsedCannotBeVoidedAndAFreeGrantCannotBeBought() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            customer(e);
            CreditPurchases.Purchase p = e.billing().creditPurchases().buy(T, "acme", paid("50.00", "50.00"), "test");
            e.billing().credits().applyToInvoice(new InvoiceToSettle(T, "acme", "inv_x", "X", usd("10.00"),
                    java.util.Map.of("a", usd("10.00")), clock.instant()));
            String id = p.invoice().orElseThrow().invoiceId();
            assertThatThrownBy(() -> e.billing().voidInvoice(T, id)).isInstanceOf(CreditConflictException.class);
            assertThat(e.billing().invoice(T, id).status()).isEqualTo(InvoiceStatus.FINALIZED);
            assertThatThrownBy(() -> e.billing().creditPurchases().buy(T, "acme", new Credits.GrantRequest(usd("1.00"),
                    100, Optional.empty(), Optional.empty(), Set.of(), Funding.FREE, Optional.empty(), "x"), "test"))
                    .isInstanceOf(dev.tally.core.validation.ValidationException.class);
            assertThat(invoices(e)).hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void anAutoTopUpFiresOncePerCrossingAndReArmsAboveTheThreshold(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            customer(e);
            AutoTopUps tops = e.billing().autoTopUps();
            Grant promo = e.billing().credits().grant(T, "acme", new Credits.GrantRequest(usd("10.00"), 1,
                    Optional.empty(), Optional.empty(), Set.of(), Funding.FREE, Optional.empty(), "promo"), "test");
            // set below the threshold: it fires at once (10.00 < 20.00), once
            AutoTopUp t = tops.set(T, new AutoTopUp("acme", usd("20.00"), usd("50.00"), usd("45.00"), 100,
                    "Automatic top-up", true, 0));
            assertThat(t.fired()).isEqualTo(1);
            assertThat(t.armed()).isFalse();
            assertThat(e.billing().credits().wallet(T, "acme", USD).balance()).isEqualTo(usd("60.00"));
            assertThat(invoices(e)).extracting(i -> i.totals().total()).containsExactly(usd("45.00"));
            // above again: a billing run re-arms it and buys nothing
            e.billing().run(T);
            assertThat(tops.get(T, "acme", USD).orElseThrow().armed()).isTrue();
            assertThat(invoices(e)).hasSize(1);
            // below again (42.00 used): the next run buys the second one, and only one
            e.billing().credits().adjust(T, "acme", promo.id(), new BigDecimal("-10.00"), "used", "test");
            String topUp = e.billing().credits().wallet(T, "acme", USD).grants().get(1).id();
            e.billing().credits().adjust(T, "acme", topUp, new BigDecimal("-32.00"), "used", "test");
            e.billing().run(T);
            e.billing().run(T);
            assertThat(invoices(e)).hasSize(2);
            assertThat(tops.get(T, "acme", USD).orElseThrow().fired()).isEqualTo(2);
            assertThat(e.billing().credits().wallet(T, "acme", USD).balance()).isEqualTo(usd("68.00"));
            assertThat(e.billing().reconcileLedger(T).differences()).isEmpty();
            assertThat(tops.delete(T, "acme", USD)).isTrue();
            assertThat(tops.get(T, "acme", USD)).isEmpty();
        }
    }

    @Test
    void aTopUpThatLeavesTheBalanceBelowTheThresholdWaitsForItToGoBackAbove() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            customer(e);
            AutoTopUps tops = e.billing().autoTopUps();
            tops.set(T, new AutoTopUp("acme", usd("100.00"), usd("30.00"), usd("30.00"), 100, "Top-up", true, 0));
            e.billing().run(T);
            e.billing().run(T);
            assertThat(invoices(e)).as("30.00 is still below 100.00: one crossing, one top-up").hasSize(1);
        }
    }

    @Test
    void twoProcessesCheckingAtOnceBuyOneTopUp() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (TwoEngines engines = TwoEngines.open(dir, clock)) {
            Engine one = engines.one();
            Engine two = engines.two();
            customer(one);
            Grant g = one.billing().credits().grant(T, "acme", new Credits.GrantRequest(usd("50.00"), 1,
                    Optional.empty(), Optional.empty(), Set.of(), Funding.FREE, Optional.empty(), "promo"), "test");
            one.billing().autoTopUps().set(T, new AutoTopUp("acme", usd("20.00"), usd("100.00"), usd("100.00"), 100,
                    "Top-up", true, 0));
            one.billing().credits().adjust(T, "acme", g.id(), new BigDecimal("-45.00"), "used", "test");
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<CreditPurchases.Purchase>>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                AutoTopUps tops = (i % 2 == 0 ? one : two).billing().autoTopUps();
                results.add(pool.submit(() -> {
                    go.await();
                    return tops.checkAll(T);
                }));
            }
            go.countDown();
            int bought = 0;
            for (Future<List<CreditPurchases.Purchase>> f : results) {
                bought += f.get().size();
            }
            assertThat(bought).isEqualTo(1);
            assertThat(invoices(two)).hasSize(1);
            assertThat(two.billing().credits().wallet(T, "acme", USD).balance()).isEqualTo(usd("105.00"));
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void theTopUpLooksAtTheLiveBalanceAfterTheCurrentPeriodsEstimate(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            customer(e);
            e.billing().createPlan(T, json.readTree("{\"key\":\"p\",\"name\":\"P\",\"currency\":\"USD\","
                    + "\"interval\":\"monthly\",\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\","
                    + "\"amount\":\"20\",\"timing\":\"in_arrears\"}]}"));
            e.billing().subscribe(T, json.readTree("{\"customer\":\"acme\",\"plan\":\"p\",\"start\":\"2026-11-01T00:00:00Z\"}"));
            e.billing().credits().grant(T, "acme", new Credits.GrantRequest(usd("30.00"), 1, Optional.empty(),
                    Optional.empty(), Set.of(), Funding.FREE, Optional.empty(), "promo"), "test");
            // balance 30.00, but November's 20.00 fee would leave 10.00: below 15.00, it fires
            AutoTopUp t = e.billing().autoTopUps().set(T, new AutoTopUp("acme", usd("15.00"), usd("25.00"),
                    usd("25.00"), 100, "Top-up", true, 0));
            assertThat(t.fired()).isEqualTo(1);
            assertThat(e.billing().credits().wallet(T, "acme", USD).balance()).isEqualTo(usd("55.00"));
        }
    }
}

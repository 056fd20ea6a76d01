package dev.tally.engine.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.Json;
import dev.tally.core.ledger.CreditApplication;
import dev.tally.core.ledger.EntryKind;
import dev.tally.core.ledger.Funding;
import dev.tally.core.ledger.Grant;
import dev.tally.core.ledger.LedgerEntry;
import dev.tally.core.ledger.Wallet;
import dev.tally.core.money.Money;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.TwoEngines;
import dev.tally.engine.TestStore;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
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

/** The credit ledger behaves the same on the embedded store and on PostgreSQL, and is safe across processes. */
class CreditLedgerStoreTest {
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

    static Credits.GrantRequest request(String amount, int priority, Optional<Instant> expires, Set<String> charges) {
        return new Credits.GrantRequest(usd(amount), priority, Optional.empty(), expires, charges, Funding.FREE,
                Optional.empty(), "promo " + amount);
    }

    InvoiceToSettle invoice(String id, String total) {
        return new InvoiceToSettle(T, "acme", id, "INV-" + id, usd(total), Map.of("tokens", usd(total)),
                clock.instant());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void grantsDrawdownsExpiriesAdjustmentsVoidsAndReversalsAreStoredAsEntriesAndSurviveARestart(TestStore store)
            throws Exception {
        EngineConfig config = store.config(dir, databases);
        Grant a;
        Grant b;
        Grant c;
        try (Engine e = Engine.open(config, clock)) {
            customer(e);
            Credits credits = e.billing().credits();
            a = credits.grant(T, "acme", request("50.00", 1, Optional.empty(), Set.of()), "test");
            b = credits.grant(T, "acme", request("30.00", 100, Optional.of(clock.instant().plus(Duration.ofDays(10))),
                    Set.of()), "test");
            c = credits.grant(T, "acme", request("20.00", 100, Optional.empty(), Set.of("tokens")), "test");

            // priority 1 first, then the one that expires soonest: 50.00 from a, 10.00 from b
            CreditApplication app = credits.applyToInvoice(invoice("inv1", "60.00"));
            assertThat(app.drawdowns()).extracting(d -> d.grant().id() + " " + d.amount().plainString())
                    .containsExactly(a.id() + " 50.00", b.id() + " 10.00");
            assertThat(app.amountDue()).isEqualTo(usd("0"));
            // applying again to the same invoice draws nothing more and gives the same answer
            assertThat(credits.applyToInvoice(invoice("inv1", "60.00")).creditsApplied()).isEqualTo(usd("60.00"));
            assertThat(credits.wallet(T, "acme", USD).balance()).isEqualTo(usd("40.00"));
        }
        try (Engine e = Engine.open(config, clock)) {
            Credits credits = e.billing().credits();
            assertThat(credits.wallet(T, "acme", USD).balance()).isEqualTo(usd("40.00"));
            clock.advance(Duration.ofDays(11));
            assertThat(credits.expireDue(T, clock.instant())).isEqualTo(1);
            assertThat(credits.expireDue(T, clock.instant())).as("once").isZero();
            LedgerEntry adjusted = credits.adjust(T, "acme", c.id(), new BigDecimal("5.00"), "goodwill", "test");
            assertThat(adjusted.kind()).isEqualTo(EntryKind.ADJUSTMENT);
            assertThatThrownBy(() -> credits.adjust(T, "acme", c.id(), new BigDecimal("-25.01"), "too much", "test"))
                    .isInstanceOf(dev.tally.core.ledger.InvalidLedgerException.class);
            LedgerEntry voided = credits.voidGrant(T, "acme", c.id(), "issued by mistake", "test");
            assertThat(voided.amount()).isEqualTo(usd("-25.00"));
            assertThatThrownBy(() -> credits.voidGrant(T, "acme", c.id(), "again", "test"))
                    .isInstanceOf(CreditConflictException.class);
            credits.restoreVoidedInvoice(T, "acme", USD, "inv1", "INV-inv1", clock.instant());
            credits.restoreVoidedInvoice(T, "acme", USD, "inv1", "INV-inv1", clock.instant());

            Wallet w = credits.wallet(T, "acme", USD);
            assertThat(w.entries()).extracting(en -> en.kind().wireName() + " " + en.amount().plainString())
                    .containsExactly("grant 50.00", "grant 30.00", "grant 20.00", "drawdown -50.00", "drawdown -10.00",
                            "expiry -20.00", "adjustment 5.00", "void -25.00", "reversal 50.00", "reversal 10.00");
            assertThat(w.balance()).isEqualTo(usd("60.00"));
            assertThat(w.balanceOf(a.id())).isEqualTo(usd("50.00"));
            // b is back to 10.00 but expired: only a may still be drawn
            assertThat(w.usableAt(clock.instant())).extracting(g -> g.grant().id()).containsExactly(a.id());
            assertThat(credits.entries(T, "acme", USD, 8, 100)).extracting(LedgerEntry::sequence).containsExactly(9L, 10L);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aNegativeTotalBecomesAnInvoiceCreditWhichTheVoidTakesBackOnlyWhileUnused(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            customer(e);
            Credits credits = e.billing().credits();
            CreditApplication negative = credits.applyToInvoice(invoice("neg", "-44.00"));
            assertThat(negative.toBalance()).isEqualTo(usd("44.00"));
            Grant credit = credits.wallet(T, "acme", USD).grants().get(0);
            assertThat(credit.funding()).isEqualTo(Funding.INVOICE_CREDIT);
            credits.applyToInvoice(invoice("next", "10.00"));
            assertThatThrownBy(() -> credits.restoreVoidedInvoice(T, "acme", USD, "neg", "INV-neg", clock.instant()))
                    .isInstanceOf(CreditConflictException.class);
            credits.restoreVoidedInvoice(T, "acme", USD, "next", "INV-next", clock.instant());
            credits.restoreVoidedInvoice(T, "acme", USD, "neg", "INV-neg", clock.instant());
            assertThat(credits.wallet(T, "acme", USD).balance()).isEqualTo(usd("0.00"));
        }
    }

    @Test
    void twoProcessesFinalizingAtOnceNeverDrawTheSameCreditsTwice() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        // two processes on one database share its secrets key, as they must
        try (TwoEngines engines = TwoEngines.open(dir, clock)) {
            Engine one = engines.one();
            Engine two = engines.two();
            customer(one);
            one.billing().credits().grant(T, "acme", request("100.00", 1, Optional.empty(), Set.of()), "test");
            CountDownLatch go = new CountDownLatch(1);
            List<Future<CreditApplication>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Credits credits = (i % 2 == 0 ? one : two).billing().credits();
                String id = "inv" + i;
                results.add(pool.submit(() -> {
                    go.await();
                    return credits.applyToInvoice(invoice(id, "30.00"));
                }));
            }
            go.countDown();
            Money drawn = usd("0");
            for (Future<CreditApplication> f : results) {
                drawn = drawn.plus(f.get().creditsApplied());
            }
            assertThat(drawn).isEqualTo(usd("100.00"));
            Wallet w = two.billing().credits().wallet(T, "acme", USD);
            assertThat(w.balance()).isEqualTo(usd("0.00"));
            assertThat(w.entries()).hasSize(1 + 4);
        } finally {
            pool.shutdownNow();
        }
    }
}

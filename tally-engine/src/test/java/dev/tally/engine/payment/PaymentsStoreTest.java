package dev.tally.engine.payment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.TestStore;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.Invoice;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The payment ledger on the embedded store and on PostgreSQL (the migration runs on both): facts survive a restart,
 * the derived status row answers the filter, and concurrent payments never exceed the amount due.
 */
class PaymentsStoreTest {
    static final String T = Engine.DEFAULT_TENANT;
    final ObjectMapper json = new ObjectMapper();
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-01T00:00:00Z"));
    final List<String> databases = new ArrayList<>();
    final ManualProvider manual = new ManualProvider();

    @TempDir
    Path dir;

    static Stream<TestStore> stores() {
        return TestStore.both();
    }

    @AfterEach
    void dropDatabases() {
        databases.forEach(TestDatabases::drop);
    }

    NewFact fact(String outcome, String amount, String reference) throws Exception {
        return manual.read(json.readTree("{\"outcome\":\"" + outcome + "\",\"amount\":\"" + amount
                + "\",\"reference\":\"" + reference + "\"}"));
    }

    /** One finalized invoice of 100.00 for customer c1; returns its id. */
    String finalizedInvoice(Billing b) throws Exception {
        b.createPlan(T, json.readTree("{\"key\":\"p\",\"name\":\"P\",\"currency\":\"EUR\",\"interval\":\"monthly\","
                + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"100\",\"timing\":\"in_advance\"}]}"));
        b.createCustomer(T, json.readTree("{\"external_id\":\"c1\",\"timezone\":\"UTC\",\"currency\":\"EUR\"}"));
        b.subscribe(T, json.readTree("{\"customer\":\"c1\",\"plan\":\"p\"}"));
        b.run(T);
        Invoice draft = b.invoices(T, Optional.of("c1"), Optional.empty(), 10).get(0);
        return b.finalizeInvoice(T, draft.id()).id();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void theLedgerSurvivesARestartAndItsStatusAnswersTheFilter(TestStore store) throws Exception {
        EngineConfig config = store.config(dir, databases);
        String id;
        try (Engine e = Engine.open(config, clock)) {
            id = finalizedInvoice(e.billing());
            Payments p = e.payments();
            assertThat(p.record(manual, T, id, fact("failed", "100", "card-1")).summary().status())
                    .isEqualTo(PaymentStatus.FAILED);
            clock.advance(Duration.ofMinutes(1));
            assertThat(p.record(manual, T, id, fact("succeeded", "100.00", "wire-1")).created()).isTrue();
            assertThat(p.record(manual, T, id, fact("succeeded", "100", "wire-1")).created()).isFalse();
            assertThatThrownBy(() -> p.record(manual, T, id, fact("succeeded", "0.01", "wire-2")))
                    .isInstanceOf(PaymentConflictException.class);
        }
        try (Engine e = Engine.open(config, clock)) {
            Invoice inv = e.billing().invoice(T, id);
            PaymentSummary s = e.payments().summary(inv);
            assertThat(s.status()).isEqualTo(PaymentStatus.SUCCEEDED);
            assertThat(s.amountPaid()).isEqualByComparingTo("100.00");
            assertThat(e.payments().facts(T, id)).extracting(PaymentFact::reference).containsExactly("card-1", "wire-1");
            assertThat(e.billing().invoices(T, Optional.empty(), Optional.empty(), Optional.of("succeeded"), 10))
                    .extracting(Invoice::id).containsExactly(id);
            assertThat(e.billing().invoices(T, Optional.empty(), Optional.empty(), Optional.of("pending"), 10)).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void concurrentPaymentsNeverExceedTheAmountDue(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            String id = finalizedInvoice(e.billing());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Boolean>> tries = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    NewFact f = fact("succeeded", "30.00", "wire-" + i);
                    Callable<Boolean> c = () -> {
                        try {
                            return e.payments().record(manual, T, id, f).created();
                        } catch (PaymentConflictException refused) {
                            return false;
                        }
                    };
                    tries.add(pool.submit(c));
                }
                int accepted = 0;
                for (Future<Boolean> f : tries) {
                    accepted += f.get() ? 1 : 0;
                }
                assertThat(accepted).isEqualTo(3);
            } finally {
                pool.shutdownNow();
            }
            PaymentSummary s = e.payments().summary(e.billing().invoice(T, id));
            assertThat(s.amountPaid()).isEqualByComparingTo(new BigDecimal("90.00"));
            assertThat(s.status()).isEqualTo(PaymentStatus.PENDING);
        }
    }
}

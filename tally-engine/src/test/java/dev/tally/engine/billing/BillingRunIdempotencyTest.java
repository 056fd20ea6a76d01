package dev.tally.engine.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BillingRunIdempotencyTest {
    static final String T = Engine.DEFAULT_TENANT;
    static final int SUBSCRIPTIONS = 40;
    final ObjectMapper mapper = Json.newMapper();
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-01T00:00:00Z"));

    @TempDir
    Path dir;

    void setUp(Engine e) throws Exception {
        e.createMeter(T, mapper.readTree("{\"key\":\"calls\",\"event_type\":\"call\",\"aggregation\":\"count\"}"));
        e.billing().createPlan(T, mapper.readTree("{\"key\":\"p\",\"name\":\"P\",\"currency\":\"EUR\",\"interval\":\"monthly\","
                + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"5\",\"timing\":\"in_arrears\"},"
                + "{\"key\":\"calls\",\"type\":\"usage\",\"name\":\"Calls\",\"meter\":\"calls\",\"price\":{\"model\":\"unit\",\"unit_price\":\"0.5\"}}]}"));
        for (int i = 0; i < SUBSCRIPTIONS; i++) {
            e.billing().createCustomer(T, mapper.readTree("{\"external_id\":\"c" + i + "\",\"name\":\"C" + i
                    + "\",\"timezone\":\"Europe/Berlin\",\"currency\":\"EUR\"}"));
            e.billing().subscribe(T, mapper.readTree("{\"customer\":\"c" + i + "\",\"plan\":\"p\"}"));
        }
        e.billing().setGracePeriod(T, Duration.ZERO);
    }

    List<Invoice> closing(Engine e) {
        return e.billing().invoices(T, Optional.empty(), Optional.empty(), 1000);
    }

    @Test
    void aRunThatCrashesMidwayAndIsRepeatedAfterARestartIssuesExactlyOneInvoicePerSubscription() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            setUp(e);
            clock.set(Instant.parse("2026-12-01T00:00:00Z"));
            AtomicInteger stored = new AtomicInteger();
            e.billing().onBatchStored(5, () -> {
                if (stored.addAndGet(5) == 15) {
                    throw new IllegalStateException("simulated crash");
                }
            });
            assertThatThrownBy(() -> e.billing().run(T)).hasMessageContaining("simulated crash");
            assertThat(closing(e)).hasSize(15);
        }
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            BillingRunResult again = e.billing().run(T);
            assertThat(again.created()).isEqualTo(SUBSCRIPTIONS - 15);
            assertThat(e.billing().run(T).created()).isZero();
            List<Invoice> all = closing(e);
            assertThat(all).hasSize(SUBSCRIPTIONS);
            assertThat(all.stream().map(Invoice::subscriptionId).distinct()).hasSize(SUBSCRIPTIONS);
            assertThat(all).allMatch(i -> i.status() == InvoiceStatus.FINALIZED);
            assertThat(all.stream().map(i -> i.number().orElseThrow()).sorted())
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, SUBSCRIPTIONS)
                            .mapToObj(n -> String.format("INV-%06d", n)).toList());
        }
    }

    @Test
    void twoRunsAtOnceIssueEachInvoiceOnceWithGaplessNumbers() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            setUp(e);
            clock.set(Instant.parse("2026-12-01T00:00:00Z"));
            CompletableFuture<BillingRunResult> a = CompletableFuture.supplyAsync(() -> e.billing().run(T));
            CompletableFuture<BillingRunResult> b = CompletableFuture.supplyAsync(() -> e.billing().run(T));
            assertThat(a.get().created() + b.get().created()).isEqualTo(SUBSCRIPTIONS);
            assertThat(a.get().finalized() + b.get().finalized()).isEqualTo(SUBSCRIPTIONS);
            List<Invoice> all = closing(e);
            assertThat(all).hasSize(SUBSCRIPTIONS);
            assertThat(all.stream().map(i -> i.number().orElseThrow()).distinct()).hasSize(SUBSCRIPTIONS);
            assertThat(all.stream().map(i -> i.number().orElseThrow()).sorted().toList().get(SUBSCRIPTIONS - 1))
                    .isEqualTo(String.format("INV-%06d", SUBSCRIPTIONS));
            assertThat(all).allMatch(i -> i.totals().total().amount().compareTo(new java.math.BigDecimal("5.00")) == 0);
        }
    }
}

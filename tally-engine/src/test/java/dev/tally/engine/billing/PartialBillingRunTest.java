package dev.tally.engine.billing;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A billing run for some customers only (a Kafka worker's partitions) leaves the others due for their owners. */
class PartialBillingRunTest {
    static final String T = Engine.DEFAULT_TENANT;
    static final int SUBSCRIPTIONS = 23;
    final ObjectMapper mapper = Json.newMapper();
    final ManualClock clock = new ManualClock(Instant.parse("2026-10-01T00:00:00Z"));

    @TempDir
    Path dir;

    @Test
    void billsOnlyTheCustomersItIsGivenPagingPastTheOthersOverSeveralDuePeriods() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            e.billing().createPlan(T, mapper.readTree("{\"key\":\"p\",\"name\":\"P\",\"currency\":\"EUR\","
                    + "\"interval\":\"monthly\",\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\","
                    + "\"amount\":\"5\",\"timing\":\"in_arrears\"}]}"));
            for (int i = 0; i < SUBSCRIPTIONS; i++) {
                e.billing().createCustomer(T, mapper.readTree("{\"external_id\":\"c" + i
                        + "\",\"timezone\":\"UTC\",\"currency\":\"EUR\"}"));
                e.billing().subscribe(T, mapper.readTree("{\"customer\":\"c" + i + "\",\"plan\":\"p\"}"));
            }
            e.billing().setGracePeriod(T, Duration.ZERO);
            e.billing().onBatchStored(4, () -> { }); // small pages, so paging past others' subscriptions matters
            clock.set(Instant.parse("2026-12-01T00:00:00Z")); // two periods due
            Predicate<String> even = c -> Integer.parseInt(c.substring(1)) % 2 == 0;
            BillingRunResult mine = e.billing().run(T, even);
            int evens = (SUBSCRIPTIONS + 1) / 2;
            assertThat(mine.created()).isEqualTo(2 * evens);
            assertThat(invoices(e)).allMatch(i -> even.test(i.customer()));
            assertThat(e.billing().run(T, even).created()).isZero();
            assertThat(e.billing().run(T, even.negate()).created()).isEqualTo(2 * (SUBSCRIPTIONS - evens));
            assertThat(e.billing().run(T).created()).isZero();
            List<Invoice> all = invoices(e);
            assertThat(all).hasSize(2 * SUBSCRIPTIONS);
            assertThat(all.stream().map(i -> i.subscriptionId() + "@" + i.boundary()).distinct())
                    .hasSize(2 * SUBSCRIPTIONS);
        }
    }

    List<Invoice> invoices(Engine e) {
        return e.billing().invoices(T, Optional.empty(), Optional.empty(), 1000);
    }
}

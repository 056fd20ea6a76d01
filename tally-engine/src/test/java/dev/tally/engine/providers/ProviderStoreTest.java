package dev.tally.engine.providers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.TestStore;
import dev.tally.engine.billing.Invoice;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The provider store behaves the same on the embedded store and on PostgreSQL: credentials sealed and opened, the
 * push queue (skipped before the connection, queued once after, backoff, remote ids), object links and event dedup,
 * all surviving a restart.
 */
class ProviderStoreTest {
    static final String T = Engine.DEFAULT_TENANT;
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

    Invoice finalized(Engine e, String customer) throws Exception {
        e.billing().createCustomer(T, json.readTree("{\"external_id\":\"" + customer + "\",\"timezone\":\"UTC\","
                + "\"currency\":\"USD\"}"));
        e.billing().subscribe(T, json.readTree("{\"customer\":\"" + customer + "\",\"plan\":\"p\",\"start\":\""
                + clock.instant() + "\"}"));
        e.billing().setGracePeriod(T, Duration.ZERO);
        e.billing().run(T);
        return e.billing().invoices(T, Optional.of(customer), Optional.empty(), 10).get(0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void accountsQueueObjectsAndEventsAreKeptAcrossARestart(TestStore store) throws Exception {
        var config = store.config(dir, databases).withSecrets(TestDatabases.SECRETS);
        String before;
        String after;
        try (Engine e = Engine.open(config, clock)) {
            e.billing().createPlan(T, json.readTree("{\"key\":\"p\",\"currency\":\"USD\",\"interval\":\"monthly\","
                    + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"10.00\","
                    + "\"timing\":\"in_advance\"}]}"));
            before = finalized(e, "early").id();
            ProviderStore p = e.providers();
            assertThat(p.account(T, "stripe")).isEmpty();
            p.connect(T, "stripe", Map.of("api_key", "sk_test_secretvalue1234"), "1234");
            assertThat(p.job(T, "stripe", before).orElseThrow().state()).isEqualTo(PushJob.State.SKIPPED);
            after = finalized(e, "late").id();
            assertThat(p.enqueueFinalized(T, "stripe")).isEqualTo(1);
            assertThat(p.enqueueFinalized(T, "stripe")).isZero();
            assertThat(p.due("stripe", 10)).extracting(PushJob::invoiceId).containsExactly(after);
            p.failed(T, "stripe", after, "HTTP 500", clock.millis() + 30_000);
            assertThat(p.due("stripe", 10)).isEmpty();
            clock.advance(Duration.ofSeconds(30));
            assertThat(p.due("stripe", 10)).singleElement().satisfies(j -> {
                assertThat(j.attempts()).isEqualTo(1);
                assertThat(j.lastError()).contains("HTTP 500");
            });
            p.setRemote(T, "stripe", after, "in_1");
            p.rememberObject(T, "stripe", "pi_1", after);
            assertThat(p.recordEvent(T, "stripe", "evt_1", "invoice.paid", "recorded")).isTrue();
            assertThat(p.recordEvent(T, "stripe", "evt_1", "invoice.paid", "recorded")).isFalse();
            p.linkCustomer(T, "stripe", "late", "cus_1", "created");
            // a second connection replaces the credentials and skips nothing more
            p.connect(T, "stripe", Map.of("api_key", "sk_test_secretvalue5678"), "5678");
            p.pushed(T, "stripe", after);
        }
        try (Engine e = Engine.open(config, clock)) {
            ProviderStore p = e.providers();
            assertThat(p.account(T, "stripe").orElseThrow().hint()).isEqualTo("5678");
            assertThat(p.credentials(T, "stripe").orElseThrow()).containsEntry("api_key", "sk_test_secretvalue5678");
            assertThat(p.connectedTenants("stripe")).containsExactly(T);
            assertThat(p.job(T, "stripe", after).orElseThrow().remoteId()).contains("in_1");
            assertThat(p.job(T, "stripe", after).orElseThrow().state()).isEqualTo(PushJob.State.PUSHED);
            assertThat(p.queueCounts(T, "stripe")).containsEntry("pushed", 1).containsEntry("skipped", 1)
                    .containsEntry("pending", 0);
            assertThat(p.invoiceOf(T, "stripe", "pi_1")).contains(after);
            assertThat(p.invoiceOf(T, "stripe", "in_1")).contains(after);
            assertThat(p.eventSeen(T, "stripe", "evt_1")).isTrue();
            assertThat(p.customerLink(T, "stripe", "late")).contains("cus_1");
            assertThat(p.credentials(T, "manual")).isEmpty();
        }
    }
}

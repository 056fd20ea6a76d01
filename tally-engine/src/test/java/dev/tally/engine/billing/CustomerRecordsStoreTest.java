package dev.tally.engine.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.TestStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Customer versions, archive and the time zone history behave the same on the embedded store and on PostgreSQL (the
 * migration runs on both), across a restart.
 */
class CustomerRecordsStoreTest {
    static final String T = Engine.DEFAULT_TENANT;
    final ObjectMapper json = new ObjectMapper();
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void versionsArchiveAndZonesSurviveARestart(TestStore store) throws Exception {
        EngineConfig config = store.config(dir, databases);
        String sub;
        try (Engine e = Engine.open(config, clock)) {
            Billing b = e.billing();
            b.createPlan(T, json.readTree("{\"key\":\"p\",\"name\":\"P\",\"currency\":\"EUR\",\"interval\":\"monthly\","
                    + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"10\",\"timing\":\"in_advance\"}]}"));
            b.createCustomer(T, json.readTree("{\"external_id\":\"c1\",\"timezone\":\"Europe/Berlin\",\"currency\":\"EUR\"}"));
            sub = b.subscribe(T, json.readTree("{\"customer\":\"c1\",\"plan\":\"p\"}")).id();
            CustomerRecord r = b.customerRecords().update(T, "c1", json.readTree("{\"name\":\"Customer One\",\"timezone\":\"Asia/Tokyo\"}"));
            assertThat(r.version()).isEqualTo(2);
            assertThat(r.pendingZone()).contains(new CustomerRecord.PendingZone(ZoneId.of("Asia/Tokyo"),
                    Instant.parse("2026-11-30T23:00:00Z")));
            assertThatThrownBy(() -> b.customerRecords().archive(T, "c1")).isInstanceOf(BillingConflictException.class);
        }
        clock.advance(Duration.ofDays(30));
        try (Engine e = Engine.open(config, clock)) {
            Billing b = e.billing();
            assertThat(b.customer(T, "c1").timezone()).isEqualTo(ZoneId.of("Asia/Tokyo"));
            assertThat(b.customer(T, "c1").name()).isEqualTo("Customer One");
            assertThat(b.currentUsage(T, "c1").get(0).timezone()).as("the running subscription keeps its zone")
                    .isEqualTo(ZoneId.of("Europe/Berlin"));
            b.cancel(T, sub, json.readTree("{\"at\":\"" + clock.instant() + "\"}"));
            CustomerRecord archived = b.customerRecords().archive(T, "c1");
            assertThat(archived.archivedAt()).contains(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            List<CustomerVersion> versions = b.customerRecords().versions(T, "c1");
            assertThat(versions).extracting(CustomerVersion::change).containsExactly("created", "updated", "archived");
            assertThat(versions.get(1).fields()).containsExactlyInAnyOrder("name", "timezone");
            assertThat(versions.get(2).customer().get("archived_at").asText()).isNotBlank();
        }
    }
}

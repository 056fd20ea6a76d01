package dev.tally.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.tenant.TenantSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Tenant seller settings, invoice number prefixes and due dates, the same on the embedded store and PostgreSQL. */
class TenantSettingsStoreTest {
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void settingsSurviveARestartAndAnInvalidPatchChangesNothing(TestStore store) throws Exception {
        EngineConfig config = store.config(dir, databases);
        try (Engine e = Engine.open(config, clock)) {
            assertThat(e.tenantSettings().get(T)).isEqualTo(TenantSettings.defaults());
            e.tenantSettings().patch(T, json.readTree("{\"legal_name\":\"Tally Demo GmbH\",\"address\":{\"city\":\"Berlin\","
                    + "\"postal_code\":\"10115\",\"country\":\"DE\"},\"net_terms_days\":14,\"invoice_number_prefix\":\"TD-\"}"));
            assertThatThrownBy(() -> e.tenantSettings().patch(T, json.readTree("{\"legal_name\":\"Other\",\"language\":\"xx\"}")))
                    .isInstanceOf(ValidationException.class);
        }
        try (Engine e = Engine.open(config, clock)) {
            TenantSettings s = e.tenantSettings().get(T);
            assertThat(s.legalName()).contains("Tally Demo GmbH");
            assertThat(s.address()).containsEntry("city", "Berlin").containsEntry("country", "DE");
            assertThat(s.netTermsDays()).isEqualTo(14);
            assertThat(s.invoiceNumberPrefix()).isEqualTo("TD-");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void finalizedInvoicesTakeThePrefixInForceAndADueDateFromTheCustomersOrTheTenantsTerms(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            e.billing().createPlan(T, json.readTree("{\"key\":\"p\",\"name\":\"P\",\"currency\":\"EUR\",\"interval\":\"monthly\","
                    + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"10\",\"timing\":\"in_advance\"}]}"));
            e.billing().createCustomer(T, json.readTree("{\"external_id\":\"own\",\"timezone\":\"America/Los_Angeles\","
                    + "\"currency\":\"EUR\",\"net_terms_days\":7}"));
            e.billing().createCustomer(T, json.readTree("{\"external_id\":\"dflt\",\"timezone\":\"Europe/Berlin\",\"currency\":\"EUR\"}"));
            e.billing().subscribe(T, json.readTree("{\"customer\":\"own\",\"plan\":\"p\"}"));
            e.billing().setGracePeriod(T, Duration.ZERO);
            e.billing().run(T);
            e.tenantSettings().patch(T, json.readTree("{\"invoice_number_prefix\":\"2026/\",\"net_terms_days\":20}"));
            e.billing().subscribe(T, json.readTree("{\"customer\":\"dflt\",\"plan\":\"p\"}"));
            e.billing().run(T);

            Invoice own = e.billing().invoices(T, Optional.of("own"), Optional.empty(), 10).get(0);
            Invoice dflt = e.billing().invoices(T, Optional.of("dflt"), Optional.empty(), 10).get(0);
            // finalized at Nov 1 00:00 UTC: Oct 31 in Los Angeles, Nov 1 in Berlin
            assertThat(own.number()).contains("INV-000001");
            assertThat(own.dueDate()).contains(LocalDate.parse("2026-11-07"));
            assertThat(dflt.number()).contains("2026/000002");
            assertThat(dflt.dueDate()).contains(LocalDate.parse("2026-11-21"));
        }
    }
}

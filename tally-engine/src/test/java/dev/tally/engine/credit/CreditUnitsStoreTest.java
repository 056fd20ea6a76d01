package dev.tally.engine.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.Json;
import dev.tally.core.ledger.CreditUnit;
import dev.tally.core.ledger.Funding;
import dev.tally.core.ledger.InvalidLedgerException;
import dev.tally.core.money.Money;
import dev.tally.core.time.ManualClock;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.TestStore;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Grants in a custom credit unit on the embedded store and on PostgreSQL: exact money, one rate per unit. */
class CreditUnitsStoreTest {
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

    static Credits.GrantRequest worth(Money m, int priority) {
        return new Credits.GrantRequest(m, priority, Optional.empty(), Optional.empty(), Set.of(), Funding.FREE,
                Optional.empty(), "credits");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void unitGrantsAreExactMoneyDrawnLikeAnyGrantAndShownInUnits(TestStore store) throws Exception {
        EngineConfig config = store.config(dir, databases);
        try (Engine e = Engine.open(config, clock)) {
            e.billing().createCustomer(T, json.readTree("{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
            CreditUnits units = e.billing().creditUnits();
            CreditUnit credits = units.resolve(T, "acme", USD, "credits", Optional.of(new BigDecimal("0.01")));
            units.grant(T, "acme", credits, new BigDecimal("1000"), worth(usd("10.00"), 1), "test");
            // the second grant takes the wallet's rate; another rate is refused
            CreditUnit again = units.resolve(T, "acme", USD, "credits", Optional.empty());
            assertThat(again.rate()).isEqualByComparingTo("0.01");
            units.grant(T, "acme", again, new BigDecimal("250"), worth(usd("2.50"), 100), "test");
            assertThatThrownBy(() -> units.resolve(T, "acme", USD, "credits", Optional.of(new BigDecimal("0.02"))))
                    .isInstanceOf(ValidationException.class);
            assertThatThrownBy(() -> units.resolve(T, "acme", USD, "tokens", Optional.empty()))
                    .isInstanceOf(ValidationException.class);
            CreditUnit tokens = units.resolve(T, "acme", USD, "tokens", Optional.of(new BigDecimal("0.009")));
            assertThatThrownBy(() -> tokens.toMoney(new BigDecimal("1001"))).isInstanceOf(InvalidLedgerException.class);
            units.grant(T, "acme", tokens, new BigDecimal("1000"), worth(usd("9.00"), 200), "test");
            // an invoice of 3.33 draws 3.33 of money from the first credits grant (priority 1): 667 credits are left of 1,000
            e.billing().credits().applyToInvoice(new InvoiceToSettle(T, "acme", "inv1", "INV-1", usd("3.33"),
                    Map.of("x", usd("3.33")), clock.instant()));
        }
        try (Engine e = Engine.open(config, clock)) {
            List<CreditUnits.UnitBalance> b = e.billing().creditUnits().balances(T, "acme", USD);
            assertThat(b).extracting(x -> x.unit().key() + " " + x.units().stripTrailingZeros().toPlainString() + " "
                    + x.balance().plainString()).containsExactly("credits 917 9.17", "tokens 1000 9.00");
            assertThat(e.billing().credits().wallet(T, "acme", USD).balance()).isEqualTo(usd("18.17"));
            assertThat(e.billing().creditUnits().grantsOf(T, "acme")).hasSize(3);
        }
    }
}

package dev.tally.core.billing;

import static dev.tally.core.billing.BillingFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tally.core.ledger.Funding;
import dev.tally.core.ledger.Rollover;
import dev.tally.core.money.Money;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A plan's {@code credit_grants} in JSON: defaults, strict validation with paths, and the round trip. */
class PlanCreditGrantsJsonTest {
    static final Currency USD = Currency.getInstance("USD");

    private static String plan(String grants) {
        return "{\"key\":\"p\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"amount\":\"10\"}],\"credit_grants\":[" + grants + "]}";
    }

    private static List<String> violations(String grants) {
        return catchThrowableOfType(ValidationException.class, () -> PlanJson.read(json(plan(grants)), 1)).violations()
                .stream().map(FieldViolation::field).toList();
    }

    @Test
    void readsARuleWithItsDefaults() {
        Plan p = PlanJson.read(json(plan("{\"amount\":\"100.00\"}")), 1);
        CreditGrantRule r = p.creditGrants().get(0);
        assertThat(r.amount()).isEqualTo(Money.of("100.00", USD));
        assertThat(r.priority()).isEqualTo(100);
        assertThat(r.appliesTo()).isEmpty();
        assertThat(r.funding()).isEqualTo(Funding.FREE);
        assertThat(r.expiry()).isEqualTo(new CreditGrantRule.Never());
        assertThat(r.rollover()).isEqualTo(new Rollover.None());
        assertThat(r.reason()).isEqualTo("Recurring credits");
    }

    @Test
    void writingThenReadingKeepsTheRules() {
        Plan p = PlanJson.read(json(plan("{\"amount\":\"100.00\",\"priority\":5,\"applies_to\":[\"base\"],"
                + "\"funding\":\"paid\",\"price\":\"90.00\",\"expires_after\":\"P60D\",\"rollover\":{\"up_to\":\"25.50\"},"
                + "\"reason\":\"Included credits\"},{\"amount\":\"1\",\"expires_after\":\"end_of_next_period\","
                + "\"rollover\":\"all\"}")), 1);
        assertThat(PlanJson.read(PlanJson.write(p), 1)).isEqualTo(p);
        CreditGrantRule r = p.creditGrants().get(0);
        assertThat(r.rollover()).isEqualTo(new Rollover.UpTo(Money.of("25.50", USD)));
        assertThat(r.expiry().expiresAt(Instant.parse("2026-11-01T00:00:00Z"), Instant.EPOCH))
                .contains(Instant.parse("2026-12-31T00:00:00Z"));
        assertThat(r.price()).contains(Money.of("90.00", USD));
        assertThat(r.appliesTo()).isEqualTo(Set.of("base"));
        assertThat(p.creditGrants().get(1).expiry().expiresAt(Instant.EPOCH, Instant.parse("2027-01-01T00:00:00Z")))
                .contains(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(new CreditGrantRule.After(Duration.ofDays(1)).wireName()).isEqualTo(Optional.of("PT24H"));
    }

    @Test
    void aPlanWithoutRulesWritesNoCreditGrants() {
        Plan p = PlanJson.read(json("{\"key\":\"p\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"amount\":\"10\"}]}"), 1);
        assertThat(p.creditGrants()).isEmpty();
        assertThat(PlanJson.write(p).has("credit_grants")).isFalse();
    }

    @Test
    void reportsEveryInvalidFieldWithItsPath() {
        assertThat(violations("{\"amount\":\"0\"}")).containsExactly("credit_grants[0].amount");
        assertThat(violations("{\"amount\":\"1.001\"}")).containsExactly("credit_grants[0].amount");
        assertThat(violations("{}")).containsExactly("credit_grants[0].amount");
        assertThat(violations("{\"amount\":\"1\",\"applies_to\":[\"nope\"]}")).containsExactly("credit_grants[0].applies_to[0]");
        assertThat(violations("{\"amount\":\"1\",\"funding\":\"paid\"}")).containsExactly("credit_grants[0].price");
        assertThat(violations("{\"amount\":\"1\",\"price\":\"1\"}")).containsExactly("credit_grants[0].price");
        assertThat(violations("{\"amount\":\"1\",\"funding\":\"invoice_credit\"}")).containsExactly("credit_grants[0].funding");
        assertThat(violations("{\"amount\":\"1\",\"expires_after\":\"soon\"}")).containsExactly("credit_grants[0].expires_after");
        assertThat(violations("{\"amount\":\"1\",\"expires_after\":\"-P1D\"}")).containsExactly("credit_grants[0].expires_after");
        assertThat(violations("{\"amount\":\"1\",\"rollover\":\"some\"}")).containsExactly("credit_grants[0].rollover");
        assertThat(violations("{\"amount\":\"1\",\"rollover\":{\"up_to\":\"-1\"}}")).containsExactly("credit_grants[0].rollover.up_to");
        assertThat(violations("{\"amount\":\"1\",\"priority\":1001}")).containsExactly("credit_grants[0].priority");
        assertThat(violations("{\"amount\":\"1\",\"every\":\"month\"}")).containsExactly("credit_grants[0].every");
    }
}

package dev.tally.core.billing;

import static dev.tally.core.billing.BillingFixtures.USD;
import static dev.tally.core.billing.BillingFixtures.flat;
import static dev.tally.core.billing.BillingFixtures.tokens;
import static dev.tally.core.pricing.Fixtures.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlanTest {

    private static Plan plan(String key, List<Charge> charges, int trialDays) {
        return new Plan(key, 1, "Plan", USD, BillingInterval.MONTHLY, charges, List.of(), trialDays);
    }

    @Test
    void acceptsUrlSafeKeys() {
        assertThat(plan("pro-2026.v2_eu", List.of(flat("base", "1", FeeTiming.IN_ADVANCE)), 0).key()).isEqualTo("pro-2026.v2_eu");
    }

    @Test
    void refusesKeysThatAreNotUrlSafe() {
        for (String key : List.of("", "Pro", "-pro", "pro plan", "a".repeat(65), "pro:1")) {
            assertThatThrownBy(() -> plan(key, List.of(flat("base", "1", FeeTiming.IN_ADVANCE)), 0))
                    .as(key).isInstanceOf(InvalidBillingException.class)
                    .extracting(e -> ((InvalidBillingException) e).field()).isEqualTo("key");
        }
    }

    @Test
    void needsAtLeastOneChargeAndUniqueChargeKeys() {
        assertThatThrownBy(() -> plan("p", List.of(), 0)).hasMessage("charges must contain at least one charge");
        assertThatThrownBy(() -> plan("p", List.of(flat("base", "1", FeeTiming.IN_ADVANCE), tokens("1"),
                flat("base", "2", FeeTiming.IN_ARREARS)), 0))
                .hasMessage("charges[2].key duplicates charges[0].key \"base\"");
    }

    @Test
    void limitsTheTrialToAYear() {
        assertThat(plan("p", List.of(tokens("1")), 365).trialDays()).isEqualTo(365);
        assertThatThrownBy(() -> plan("p", List.of(tokens("1")), 366)).hasMessage("trial_days must be between 0 and 365, got 366");
        assertThatThrownBy(() -> plan("p", List.of(tokens("1")), -1)).isInstanceOf(InvalidBillingException.class);
    }

    @Test
    void refusesANegativeFlatFee() {
        assertThatThrownBy(() -> flat("base", "-0.01", FeeTiming.IN_ADVANCE)).hasMessage("amount must not be negative, got -0.01");
    }

    @Test
    void refusesACurrencyWithoutMinorUnit() {
        assertThatThrownBy(() -> new Plan("p", 1, "P", Currency.getInstance("XAU"), BillingInterval.MONTHLY,
                List.of(tokens("1")), List.of(), 0)).isInstanceOf(InvalidBillingException.class)
                .hasMessageStartingWith("currency has no minor unit");
    }

    @Test
    void refusesEmptyFilterValues() {
        assertThatThrownBy(() -> new UsageCharge("t", "T", "tokens", Map.of("region", Set.of()), tokens("1").pricing()))
                .hasMessage("filters.region must list at least one value");
    }

    @Test
    void listsFlatAndUsageChargesInPlanOrder() {
        Plan p = plan("p", List.of(tokens("1"), flat("base", "1", FeeTiming.IN_ADVANCE),
                new FlatCharge("support", "Support", d("5"), FeeTiming.IN_ARREARS)), 0);

        assertThat(p.flatCharges()).extracting(FlatCharge::key).containsExactly("base", "support");
        assertThat(p.usageCharges()).extracting(UsageCharge::key).containsExactly("tokens");
        assertThat(p.charge("support")).isPresent();
        assertThat(p.charge("nope")).isEmpty();
    }
}

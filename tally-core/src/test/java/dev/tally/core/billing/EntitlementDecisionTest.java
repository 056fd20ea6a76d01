package dev.tally.core.billing;

import static dev.tally.core.pricing.Fixtures.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.billing.EntitlementDecision.Denial;
import java.math.BigDecimal;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pure entitlement rules: boolean, hard, hard with grace, soft, disabled, and customer overrides. */
class EntitlementDecisionTest {
    static final Feature TOKENS_HARD = Feature.metered("tokens", MeteredLimit.hard("tokens", d("1000")));
    static final Feature TOKENS_GRACE = Feature.metered("tokens",
            new MeteredLimit("tokens", d("1000"), LimitMode.HARD, d("10")));
    static final Feature TOKENS_SOFT = Feature.metered("tokens", MeteredLimit.soft("tokens", d("1000")));

    @Test
    void anEnabledBooleanFeatureIsAllowedAndADisabledOneIsNot() {
        EntitlementDecision on = EntitlementDecision.decide(Feature.toggle("sso", true), BigDecimal.ZERO);
        EntitlementDecision off = EntitlementDecision.decide(Feature.toggle("sso", false), BigDecimal.ZERO);

        assertThat(on).isEqualTo(new EntitlementDecision(true, Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(off.allowed()).isFalse();
        assertThat(off.denial()).contains(Denial.DISABLED);
    }

    @Test
    void aHardLimitAllowsUpToJustBelowTheLimitAndDeniesFromTheLimitOn() {
        EntitlementDecision below = EntitlementDecision.decide(TOKENS_HARD, d("999.999"));
        EntitlementDecision at = EntitlementDecision.decide(TOKENS_HARD, d("1000"));
        EntitlementDecision past = EntitlementDecision.decide(TOKENS_HARD, d("1500"));

        assertThat(below.allowed()).isTrue();
        assertThat(below.remaining()).contains(d("0.001"));
        assertThat(at.allowed()).isFalse();
        assertThat(at.denial()).contains(Denial.LIMIT_REACHED);
        assertThat(at.exhausted()).isTrue();
        assertThat(at.remaining()).contains(d("0"));
        assertThat(past.overage()).contains(d("500"));
    }

    @Test
    void aHardLimitWithGraceAllowsUpToLimitTimesOnePlusGrace() {
        // 1000 x (1 + 10 / 100) = 1100
        assertThat(TOKENS_GRACE.metered().orElseThrow().ceiling()).hasValueSatisfying(c -> assertThat(c).isEqualByComparingTo("1100"));
        EntitlementDecision inGrace = EntitlementDecision.decide(TOKENS_GRACE, d("1050"));
        EntitlementDecision graceUsed = EntitlementDecision.decide(TOKENS_GRACE, d("1100"));

        assertThat(inGrace.allowed()).isTrue();
        assertThat(inGrace.remaining()).as("remaining counts to the limit, not the grace").contains(d("0"));
        assertThat(inGrace.overage()).contains(d("50"));
        assertThat(graceUsed.allowed()).isFalse();
        assertThat(graceUsed.exhausted()).isTrue();
    }

    @Test
    void aSoftLimitNeverDeniesAndReportsTheOverage() {
        EntitlementDecision past = EntitlementDecision.decide(TOKENS_SOFT, d("2500"));

        assertThat(past.allowed()).isTrue();
        assertThat(past.exhausted()).isFalse();
        assertThat(past.remaining()).contains(d("0"));
        assertThat(past.overage()).contains(d("1500"));
        assertThat(TOKENS_SOFT.metered().orElseThrow().ceiling()).isEmpty();
    }

    @Test
    void aDisabledMeteredFeatureIsDeniedEvenWithQuotaLeft() {
        Feature off = new Feature("tokens", false, TOKENS_HARD.metered());

        EntitlementDecision d = EntitlementDecision.decide(off, d("1"));

        assertThat(d.denial()).contains(Denial.DISABLED);
        assertThat(d.remaining()).contains(d("999"));
    }

    @Test
    void aZeroHardLimitNeverAllows() {
        Feature none = Feature.metered("tokens", MeteredLimit.hard("tokens", BigDecimal.ZERO));

        assertThat(EntitlementDecision.decide(none, BigDecimal.ZERO).allowed()).isFalse();
    }

    @Test
    void aSoftLimitCannotHaveAGrace() {
        assertThatThrownBy(() -> new MeteredLimit("tokens", d("10"), LimitMode.SOFT, d("5")))
                .isInstanceOf(InvalidBillingException.class).hasMessageContaining("grace_percent");
    }

    // ---- overrides

    static FeatureOverride override(Boolean enabled, String meter, String limit, LimitMode mode, String grace) {
        return new FeatureOverride(Optional.ofNullable(enabled), Optional.ofNullable(meter),
                Optional.ofNullable(limit).map(BigDecimal::new), Optional.ofNullable(mode),
                Optional.ofNullable(grace).map(BigDecimal::new));
    }

    @Test
    void anOverrideReplacesOnlyTheFieldsItGives() {
        Feature raised = override(null, null, "500000", LimitMode.SOFT, null).applyTo("tokens", Optional.of(TOKENS_GRACE))
                .orElseThrow();

        assertThat(raised).isEqualTo(Feature.metered("tokens", MeteredLimit.soft("tokens", d("500000"))));
        Feature moreGrace = override(null, null, null, null, "25").applyTo("tokens", Optional.of(TOKENS_HARD)).orElseThrow();
        assertThat(moreGrace.metered().orElseThrow().ceiling()).hasValueSatisfying(c -> assertThat(c).isEqualByComparingTo("1250"));
        Feature off = override(false, null, null, null, null).applyTo("sso", Optional.of(Feature.toggle("sso", true)))
                .orElseThrow();
        assertThat(off).isEqualTo(Feature.toggle("sso", false));
    }

    @Test
    void anOverrideCanGrantAFeatureThePlanLacks() {
        assertThat(override(true, null, null, null, null).applyTo("sso", Optional.empty()))
                .contains(Feature.toggle("sso", true));
        assertThat(override(null, "tokens", "10", null, null).applyTo("tokens", Optional.empty()))
                .contains(Feature.metered("tokens", MeteredLimit.hard("tokens", d("10"))));
        assertThat(override(null, null, "10", null, null).applyTo("tokens", Optional.empty()))
                .as("a limit without a meter grants nothing").isEmpty();
    }

    @Test
    void anOverrideThatCannotApplyIsRefusedWhenWritten() {
        FeatureOverride limitOnly = override(null, null, "10", null, null);

        assertThatThrownBy(() -> limitOnly.checkAgainst(Optional.of(Feature.toggle("sso", true))))
                .isInstanceOf(InvalidBillingException.class).hasMessageStartingWith("meter is required");
        assertThatThrownBy(() -> override(null, null, null, null, "10").checkAgainst(Optional.of(TOKENS_SOFT)))
                .isInstanceOf(InvalidBillingException.class).hasMessageStartingWith("grace_percent applies only");
        assertThatThrownBy(() -> override(null, null, null, LimitMode.SOFT, "10"))
                .isInstanceOf(InvalidBillingException.class);
        assertThatThrownBy(() -> override(null, null, null, null, null))
                .isInstanceOf(InvalidBillingException.class).hasMessageContaining("at least one");
        limitOnly.checkAgainst(Optional.of(TOKENS_HARD));
    }

    @Test
    void overridesHaveAStrictJsonForm() {
        FeatureOverride o = FeatureJson.readOverride(BillingFixtures.json("{\"limit\":\"500000\",\"mode\":\"soft\"}"));

        assertThat(o).isEqualTo(override(null, null, "500000", LimitMode.SOFT, null));
        assertThat(FeatureJson.writeOverride(o).toString()).isEqualTo("{\"limit\":\"500000\",\"mode\":\"soft\"}");
        assertThat(FeatureJson.readOverride(FeatureJson.writeOverride(o))).isEqualTo(o);
        assertThatThrownBy(() -> FeatureJson.readOverride(BillingFixtures.json("{\"limmit\":\"5\"}")))
                .isInstanceOf(dev.tally.core.validation.ValidationException.class).hasMessageContaining("limmit");
        assertThatThrownBy(() -> FeatureJson.readOverride(BillingFixtures.json("{}")))
                .isInstanceOf(dev.tally.core.validation.ValidationException.class).hasMessageContaining("at least one");
    }
}

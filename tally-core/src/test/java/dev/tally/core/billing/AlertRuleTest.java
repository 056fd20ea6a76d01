package dev.tally.core.billing;

import static dev.tally.core.billing.BillingFixtures.json;
import static dev.tally.core.pricing.Fixtures.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tally.core.billing.AlertRule.ThresholdState;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Alert definitions: their JSON, the 80/95/100 % default, validation, and which thresholds a value crosses. */
class AlertRuleTest {

    private static List<FieldViolation> violations(String body) {
        return catchThrowableOfType(ValidationException.class, () -> AlertRuleJson.read(json(body))).violations();
    }

    @Test
    void namingABaseWithoutThresholdsMeans80_95And100Percent() {
        AlertRule r = AlertRuleJson.read(json("{\"plan\":\"pro\",\"metric\":\"usage\",\"meter\":\"tokens\",\"of\":\"included\"}"));

        assertThat(r.scope()).isEqualTo(AlertRule.Scope.PLAN);
        assertThat(r.scopeId()).isEqualTo("pro");
        assertThat(r.thresholds()).containsExactly(d("80"), d("95"), d("100"));
        assertThat(r.percentOf()).contains(AlertRule.PercentOf.INCLUDED);
    }

    @Test
    void absoluteThresholdsAreSortedAndNormalized() {
        AlertRule r = AlertRuleJson.read(json("{\"customer\":\"acme\",\"metric\":\"usage\",\"meter\":\"tokens\","
                + "\"thresholds\":[\"5000.00\",\"1000\"]}"));

        assertThat(r.thresholds()).extracting(BigDecimal::toPlainString).containsExactly("1000", "5000");
        assertThat(AlertRuleJson.read(AlertRuleJson.write(r))).isEqualTo(r);
        assertThat(AlertRuleJson.write(r).toString()).isEqualTo("{\"name\":null,\"customer\":\"acme\",\"plan\":null,"
                + "\"metric\":\"usage\",\"meter\":\"tokens\",\"thresholds\":[\"1000\",\"5000\"],"
                + "\"percent_thresholds\":null,\"of\":null,\"budget\":null}");
    }

    @Test
    void aSpendAlertOnABudgetComputesEachThresholdsAmount() {
        AlertRule r = AlertRuleJson.read(json("{\"customer\":\"acme\",\"metric\":\"spend\",\"of\":\"budget\",\"budget\":\"100.00\"}"));

        List<ThresholdState> states = r.states(d("95.00"), Optional.empty());

        assertThat(states).containsExactly(
                new ThresholdState(d("80"), Optional.of(d("80")), true),
                new ThresholdState(d("95"), Optional.of(d("95")), true),
                new ThresholdState(d("100"), Optional.of(d("100")), false));
        assertThat(AlertRuleJson.read(AlertRuleJson.write(r))).isEqualTo(r);
    }

    @Test
    void aPercentageOfAnUnknownOrZeroIncludedQuantityNeverCrosses() {
        AlertRule r = AlertRuleJson.read(json("{\"customer\":\"acme\",\"metric\":\"usage\",\"meter\":\"tokens\","
                + "\"percent_thresholds\":[\"50\"],\"of\":\"included\"}"));

        assertThat(r.states(d("1000"), Optional.of(BigDecimal.ZERO))).containsExactly(
                new ThresholdState(d("50"), Optional.empty(), false));
        assertThat(r.states(d("500"), Optional.of(d("1000")))).containsExactly(
                new ThresholdState(d("50"), Optional.of(d("500")), true));
    }

    @Test
    void reportsEveryMistakeInADefinition() {
        assertThat(violations("{\"metric\":\"usage\",\"colour\":1}")).extracting(FieldViolation::field)
                .containsExactlyInAnyOrder("colour", "customer", "thresholds");
        assertThat(violations("{\"customer\":\"a\",\"plan\":\"p\",\"metric\":\"costs\",\"thresholds\":[\"x\"]}"))
                .extracting(FieldViolation::field).containsExactlyInAnyOrder("plan", "metric", "thresholds[0]");
        assertThat(violations("{\"customer\":\"a\",\"metric\":\"usage\",\"thresholds\":[\"10\"]}"))
                .containsExactly(new FieldViolation("meter", "is required for a usage alert"));
        assertThat(violations("{\"customer\":\"a\",\"metric\":\"spend\",\"of\":\"included\"}"))
                .extracting(FieldViolation::field).containsExactly("of");
        assertThat(violations("{\"customer\":\"a\",\"metric\":\"spend\",\"of\":\"budget\"}"))
                .containsExactly(new FieldViolation("budget", "is required with \"of\": \"budget\""));
        assertThat(violations("{\"customer\":\"a\",\"metric\":\"spend\",\"percent_thresholds\":[\"80\"]}"))
                .extracting(FieldViolation::field).containsExactly("of");
        assertThat(violations("{\"customer\":\"a\",\"metric\":\"spend\",\"thresholds\":[\"0\"]}"))
                .extracting(FieldViolation::field).containsExactly("thresholds");
        assertThat(violations("{\"customer\":\"a\",\"metric\":\"spend\",\"thresholds\":[\"10\",\"10.0\"]}"))
                .extracting(FieldViolation::message).containsExactly("lists 10.0 twice");
        assertThat(violations("{\"customer\":\"a\",\"metric\":\"spend\",\"thresholds\":[\"10\"],\"of\":\"budget\",\"budget\":\"5\"}"))
                .extracting(FieldViolation::field).containsExactly("thresholds");
    }

    @Test
    void aPlanAlertAppliesToEverySubscriptionOfThePlanAndACustomerAlertToOneCustomer() {
        AlertRule plan = AlertRuleJson.read(json("{\"plan\":\"pro\",\"metric\":\"spend\",\"thresholds\":[\"10\"]}"));
        AlertRule customer = AlertRuleJson.read(json("{\"customer\":\"acme\",\"metric\":\"spend\",\"thresholds\":[\"10\"]}"));

        assertThat(plan.appliesTo("anyone", "pro")).isTrue();
        assertThat(plan.appliesTo("anyone", "basic")).isFalse();
        assertThat(customer.appliesTo("acme", "basic")).isTrue();
        assertThat(customer.appliesTo("globex", "basic")).isFalse();
    }
}

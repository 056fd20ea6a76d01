package dev.tally.core.billing;

import static dev.tally.core.billing.BillingFixtures.MAPPER;
import static dev.tally.core.billing.BillingFixtures.PRO_JSON;
import static dev.tally.core.billing.BillingFixtures.json;
import static dev.tally.core.pricing.Fixtures.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.pricing.GraduatedPrice;
import dev.tally.core.pricing.PriceModelJson;
import dev.tally.core.pricing.UnitPrice;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class PlanJsonTest {

    private static List<FieldViolation> violations(String body) {
        return catchThrowableOfType(ValidationException.class, () -> PlanJson.read(json(body), 1)).violations();
    }

    private static String plan(String charges) {
        return "{\"key\":\"p\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":[" + charges + "]}";
    }

    @Test
    void readsTheExamplePlan() {
        Plan p = PlanJson.read(json(PRO_JSON), 3);

        assertThat(p.key()).isEqualTo("pro");
        assertThat(p.version()).isEqualTo(3);
        assertThat(p.name()).isEqualTo("Pro");
        assertThat(p.currency()).isEqualTo(Currency.getInstance("USD"));
        assertThat(p.interval()).isEqualTo(BillingInterval.MONTHLY);
        assertThat(p.taxRates()).containsExactly(BillingFixtures.tax("VAT", "20"));
        assertThat(p.charges()).hasSize(3);
        assertThat(p.charges().get(0)).isEqualTo(new FlatCharge("base", "Platform fee", d("49.00"), FeeTiming.IN_ADVANCE));
        UsageCharge tokens = (UsageCharge) p.charges().get(1);
        assertThat(tokens.meter()).isEqualTo("tokens");
        assertThat(tokens.filters()).isEqualTo(Map.of("region", Set.of("eu")));
        assertThat(tokens.pricing().model()).isInstanceOf(GraduatedPrice.class);
        assertThat(tokens.pricing().includedQuantity()).isEqualByComparingTo("1000");
        assertThat(tokens.pricing().minimumAmount()).contains(d("10"));
        assertThat(tokens.pricing().maximumAmount()).contains(d("500"));
        UsageCharge models = (UsageCharge) p.charges().get(2);
        assertThat(models.pricing().dimension()).contains("model");
        assertThat(models.pricing().byDimension()).isEqualTo(Map.of("big", new UnitPrice(d("0.02"))));
    }

    @Test
    void fillsInTheDefaults() {
        Plan p = PlanJson.read(json(plan("{\"key\":\"base\",\"type\":\"flat\",\"amount\":\"10\"},"
                + "{\"key\":\"calls\",\"type\":\"usage\",\"meter\":\"calls\",\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"}}")), 1);

        assertThat(p.name()).isEqualTo("p");
        assertThat(p.trialDays()).isZero();
        assertThat(p.taxRates()).isEmpty();
        assertThat(p.charges().get(0)).isEqualTo(new FlatCharge("base", "base", d("10"), FeeTiming.IN_ADVANCE));
        UsageCharge calls = (UsageCharge) p.charges().get(1);
        assertThat(calls.name()).isEqualTo("calls");
        assertThat(calls.filters()).isEmpty();
        assertThat(calls.pricing().includedQuantity()).isZero();
        assertThat(calls.pricing().minimumAmount()).isEmpty();
        assertThat(calls.pricing().dimension()).isEmpty();
    }

    @Test
    void writingThenReadingGivesBackTheSamePlanAlsoThroughText() throws Exception {
        Plan p = PlanJson.read(json(PRO_JSON), 2);

        ObjectNode written = PlanJson.write(p);

        assertThat(PlanJson.read(written, 2)).isEqualTo(p);
        assertThat(PlanJson.read(MAPPER.readTree(MAPPER.writeValueAsString(written)), 2)).isEqualTo(p);
        assertThat(written.get("version").intValue()).isEqualTo(2);
        assertThat(written.get("charges").get(1).get("price")).isEqualTo(PriceModelJson.write(((UsageCharge) p.charges().get(1)).pricing().model()));
        assertThat(written.get("charges").get(0).get("amount").textValue()).isEqualTo("49.00");
    }

    @Provide
    Arbitrary<Plan> plans() {
        return BillingFixtures.plans();
    }

    @Property(tries = 300)
    void everyPlanSurvivesWriteThenRead(@ForAll("plans") Plan p) throws Exception {
        String text = MAPPER.writeValueAsString(PlanJson.write(p));

        assertThat(PlanJson.read(MAPPER.readTree(text), p.version())).isEqualTo(p);
    }

    @Test
    void reportsEveryInvalidFieldWithItsPath() {
        List<FieldViolation> v = violations("""
                {"key":"Pro!","currency":"usd","interval":"biweekly","trial_days":400,"colour":"red",
                 "tax_rates":[{"name":"VAT","percent":"-1"}],
                 "charges":[{"key":"base","type":"flat","amount":"-5","timing":"later"},
                            {"key":"base","type":"usage","meter":"Tokens","included_quantity":1.5,
                             "price":{"model":"graduated","tiers":[{"up_to":"10","unit_price":"-1"},{"up_to":null,"unit_price":"1"}]}},
                            {"key":"x","type":"bogus"}]}
                """);

        assertThat(v).extracting(FieldViolation::field).containsExactlyInAnyOrder(
                "colour", "key", "currency", "interval", "trial_days", "tax_rates[0].percent",
                "charges[0].amount", "charges[0].timing",
                "charges[1].meter", "charges[1].price.tiers[0].unit_price", "charges[1].included_quantity",
                "charges[1].key", "charges[2].type");
        assertThat(v).contains(
                new FieldViolation("colour", "is not a known field"),
                new FieldViolation("trial_days", "must be between 0 and 365, got 400"),
                new FieldViolation("interval", "must be one of weekly, monthly, quarterly, yearly; got \"biweekly\""),
                new FieldViolation("currency", "must be an upper-case ISO 4217 code like \"USD\", got \"usd\""),
                new FieldViolation("charges[0].amount", "must not be negative, got -5"),
                new FieldViolation("charges[1].key", "duplicates charges[0].key \"base\""),
                new FieldViolation("charges[1].price.tiers[0].unit_price", "must not be negative, got -1"),
                new FieldViolation("charges[2].type", "must be \"flat\", \"usage\" or \"licensed\", got \"bogus\""));
        assertThat(v.stream().filter(f -> f.field().equals("charges[1].included_quantity")).findFirst().orElseThrow().message())
                .startsWith("must be a decimal string like \"1.5\"");
    }

    @Test
    void reportsUnknownFieldsOfAChargeByItsType() {
        assertThat(violations(plan("{\"key\":\"base\",\"type\":\"flat\",\"amount\":\"1\",\"meter\":\"m\"}")))
                .containsExactly(new FieldViolation("charges[0].meter", "is not a known field"));
    }

    @Test
    void requiresChargesAndAtLeastOne() {
        assertThat(violations("{\"key\":\"p\",\"currency\":\"USD\",\"interval\":\"monthly\"}"))
                .containsExactly(new FieldViolation("charges", "is required"));
        assertThat(violations(plan("")))
                .containsExactly(new FieldViolation("charges", "must contain at least one charge"));
    }

    @Test
    void requiresAJsonObject() {
        assertThatThrownBy(() -> PlanJson.read(json("[1]"), 1)).isInstanceOf(ValidationException.class)
                .hasMessage("body: must be a JSON object");
    }

    @Test
    void namesTheChargeFieldOfAPricingRuleThatSpansSeveralFields() {
        assertThat(violations(plan("{\"key\":\"t\",\"type\":\"usage\",\"meter\":\"t\",\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"},"
                + "\"minimum_amount\":\"10\",\"maximum_amount\":\"5\"}")))
                .containsExactly(new FieldViolation("charges[0].minimum_amount", "must not be greater than maximum_amount"));
        assertThat(violations(plan("{\"key\":\"t\",\"type\":\"usage\",\"meter\":\"t\",\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"},"
                + "\"prices_by_dimension\":{\"big\":{\"model\":\"unit\",\"unit_price\":\"2\"}}}")))
                .extracting(FieldViolation::field).containsExactly("charges[0].dimension");
        assertThat(violations(plan("{\"key\":\"t\",\"type\":\"usage\",\"meter\":\"t\",\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"},"
                + "\"dimension\":\"model\",\"prices_by_dimension\":{\"big\":{\"model\":\"dynamic\"}}}")))
                .extracting(FieldViolation::field).containsExactly("charges[0].prices_by_dimension.big");
        assertThat(violations(plan("{\"key\":\"t\",\"type\":\"usage\",\"meter\":\"t\",\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"},"
                + "\"dimension\":\"model\",\"prices_by_dimension\":{\"big\":{\"model\":\"unit\",\"unit_price\":\"x\"}}}")))
                .extracting(FieldViolation::field).containsExactly("charges[0].prices_by_dimension.big.unit_price");
        assertThat(violations(plan("{\"key\":\"t\",\"type\":\"usage\",\"meter\":\"t\",\"price\":{\"model\":\"dynamic\"},"
                + "\"included_quantity\":\"5\"}")))
                .extracting(FieldViolation::field).containsExactly("charges[0].included_quantity");
    }

    @Test
    void refusesPricingByDimensionForPerEventPrices() {
        assertThat(violations(plan("{\"key\":\"fees\",\"type\":\"usage\",\"meter\":\"payments\",\"price\":{\"model\":\"percentage\",\"rate\":\"1\"},"
                + "\"dimension\":\"country\"}")))
                .extracting(FieldViolation::field).containsExactly("charges[0].dimension");
    }

    @Test
    void validatesFilters() {
        assertThat(violations(plan("{\"key\":\"t\",\"type\":\"usage\",\"meter\":\"t\",\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"},"
                + "\"filters\":{\"region\":[],\"tier\":[1]}}")))
                .containsExactlyInAnyOrder(
                        new FieldViolation("charges[0].filters.region", "must be a non-empty list of values"),
                        new FieldViolation("charges[0].filters.tier[0]", "must be a string"));
    }

    @Test
    void acceptsAndIgnoresTheVersionItWrites() {
        Plan p = PlanJson.read(json("{\"key\":\"p\",\"version\":7,\"currency\":\"JPY\",\"interval\":\"weekly\","
                + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"amount\":\"500\",\"timing\":\"in_arrears\"}]}"), 2);

        assertThat(p.version()).isEqualTo(2);
        assertThat(p.flatCharges().get(0).timing()).isEqualTo(FeeTiming.IN_ARREARS);
    }

    @Test
    void refusesACurrencyWithoutMinorUnit() {
        assertThat(violations("{\"key\":\"p\",\"currency\":\"XXX\",\"interval\":\"monthly\","
                + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"amount\":\"5\"}]}"))
                .containsExactly(new FieldViolation("currency", "has no minor unit and cannot be billed: \"XXX\""));
    }

    @Test
    void aVersionBelowOneIsTheCallersMistake() {
        assertThatThrownBy(() -> PlanJson.read(json(PRO_JSON), 0)).isInstanceOf(InvalidBillingException.class);
    }

    @Test
    void writesAbsentOptionalFieldsAsNull() {
        Plan p = BillingFixtures.plan("basic", BillingFixtures.USD, BillingFixtures.tokens("0.01"));

        ObjectNode charge = (ObjectNode) PlanJson.write(p).get("charges").get(0);

        assertThat(charge.get("minimum_amount").isNull()).isTrue();
        assertThat(charge.get("dimension").isNull()).isTrue();
        assertThat(charge.get("prices_by_dimension").isEmpty()).isTrue();
        assertThat(charge.get("included_quantity").textValue()).isEqualTo("0");
        assertThat(Optional.ofNullable(charge.get("filters"))).isPresent();
    }
}

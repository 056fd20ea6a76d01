package dev.tally.core.billing;

import static dev.tally.core.billing.BillingFixtures.MAPPER;
import static dev.tally.core.billing.BillingFixtures.json;
import static dev.tally.core.pricing.Fixtures.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.pricing.Fixtures;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** A plan's {@code features} in JSON: defaults, strict validation with paths, and the round trip. */
class PlanFeaturesJsonTest {

    private static String plan(String features) {
        return "{\"key\":\"p\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"amount\":\"10\"}],\"features\":[" + features + "]}";
    }

    private static List<FieldViolation> violations(String features) {
        return catchThrowableOfType(ValidationException.class, () -> PlanJson.read(json(plan(features)), 1)).violations();
    }

    @Test
    void readsBooleanAndMeteredFeaturesWithTheirDefaults() {
        Plan p = PlanJson.read(json(plan("""
                {"key":"sso","type":"boolean","enabled":true},
                {"key":"audit","type":"boolean"},
                {"key":"tokens","type":"metered","meter":"tokens","limit":"100000","mode":"hard","grace_percent":"10"},
                {"key":"calls","type":"metered","meter":"calls","limit":500}
                """)), 1);

        assertThat(p.features()).containsExactly(
                Feature.toggle("sso", true),
                Feature.toggle("audit", true),
                Feature.metered("tokens", new MeteredLimit("tokens", d("100000"), LimitMode.HARD, d("10"))),
                Feature.metered("calls", MeteredLimit.hard("calls", d("500"))));
        assertThat(p.feature("tokens").orElseThrow().metered().orElseThrow().ceiling()).contains(d("110000"));
        assertThat(p.feature("nope")).isEmpty();
    }

    @Test
    void aPlanWithoutFeaturesGrantsNoneAndWritesAnEmptyList() {
        Plan p = PlanJson.read(json(BillingFixtures.PRO_JSON), 1);

        assertThat(p.features()).isEmpty();
        assertThat(PlanJson.write(p).get("features")).isEmpty();
    }

    @Test
    void writingThenReadingKeepsTheFeatures() throws Exception {
        Plan p = PlanJson.read(json(plan("""
                {"key":"sso","type":"boolean","enabled":false},
                {"key":"tokens","type":"metered","meter":"tokens","limit":"100000.5","mode":"soft"}
                """)), 4);

        ObjectNode written = PlanJson.write(p);

        assertThat(written.get("features").get(1).toString()).isEqualTo("{\"key\":\"tokens\",\"type\":\"metered\","
                + "\"enabled\":true,\"meter\":\"tokens\",\"limit\":\"100000.5\",\"mode\":\"soft\",\"grace_percent\":\"0\"}");
        assertThat(PlanJson.read(MAPPER.readTree(MAPPER.writeValueAsString(written)), 4)).isEqualTo(p);
    }

    @Test
    void reportsEveryInvalidFeatureFieldWithItsPath() {
        List<FieldViolation> v = violations("""
                {"key":"sso","type":"boolean","limit":"5"},
                {"key":"Bad Key","type":"toggle"},
                {"key":"tokens","type":"metered","limit":"-1","mode":"strict","grace_percent":"2000"},
                {"key":"soft","type":"metered","meter":"tokens","limit":"10","mode":"soft","grace_percent":"10"},
                {"key":"sso","type":"boolean","enabled":"yes"}
                """);

        assertThat(v).containsExactlyInAnyOrder(
                new FieldViolation("features[0].limit", "is not a known field"),
                new FieldViolation("features[1].key", Plan.KEY_RULE + ", got \"Bad Key\""),
                new FieldViolation("features[1].type", "must be \"boolean\" or \"metered\", got \"toggle\""),
                new FieldViolation("features[2].meter", "is required"),
                new FieldViolation("features[2].limit", "must not be negative, got -1"),
                new FieldViolation("features[2].mode", "must be \"hard\" or \"soft\", got \"strict\""),
                new FieldViolation("features[3].grace_percent", "applies only to hard limits (a soft limit never blocks)"),
                new FieldViolation("features[4].enabled", "must be true or false"),
                new FieldViolation("features[4].key", "duplicates features[0].key \"sso\""));
    }

    @Test
    void aMeteredFeatureNeedsALimitAndAGraceWithinBounds() {
        assertThat(violations("{\"key\":\"t\",\"type\":\"metered\",\"meter\":\"tokens\"}"))
                .extracting(FieldViolation::field).containsExactly("features[0].limit");
        assertThat(violations("{\"key\":\"t\",\"type\":\"metered\",\"meter\":\"tokens\",\"limit\":\"1\",\"grace_percent\":\"1001\"}"))
                .containsExactly(new FieldViolation("features[0].grace_percent", "must be between 0 and 1000, got 1001"));
        assertThat(violations("{\"key\":\"t\",\"type\":\"metered\",\"meter\":\"tokens\",\"limit\":1.5}"))
                .extracting(FieldViolation::field).containsExactly("features[0].limit");
    }

    @Provide
    Arbitrary<Plan> plansWithFeatures() {
        Arbitrary<Feature> toggles = Combinators.combine(Arbitraries.of("sso", "audit", "export"), Arbitraries.of(true, false))
                .as(Feature::toggle);
        Arbitrary<Feature> quotas = Combinators.combine(Arbitraries.of("tokens", "calls", "seats"),
                Arbitraries.of(true, false), Fixtures.decimals("1000000", 3), Arbitraries.of(LimitMode.class),
                Fixtures.decimals("100", 2)).as((key, on, limit, mode, grace) -> new Feature(key, on,
                Optional.of(new MeteredLimit(key, limit, mode, mode == LimitMode.SOFT ? BigDecimal.ZERO : grace))));
        Arbitrary<List<Feature>> features = Arbitraries.oneOf(toggles, quotas).list().ofMaxSize(4)
                .map(l -> {
                    List<Feature> unique = new ArrayList<>();
                    l.stream().filter(f -> unique.stream().noneMatch(u -> u.key().equals(f.key()))).forEach(unique::add);
                    return unique;
                });
        return Combinators.combine(BillingFixtures.plans(), features).as((p, f) -> new Plan(p.key(), p.version(),
                p.name(), p.currency(), p.interval(), p.charges(), p.taxRates(), p.trialDays(), f));
    }

    @Property(tries = 300)
    void everyPlanWithFeaturesSurvivesWriteThenRead(@ForAll("plansWithFeatures") Plan p) throws Exception {
        String text = MAPPER.writeValueAsString(PlanJson.write(p));

        assertThat(PlanJson.read(MAPPER.readTree(text), p.version())).isEqualTo(p);
    }
}

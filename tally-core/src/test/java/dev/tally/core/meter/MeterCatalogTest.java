package dev.tally.core.meter;

import static dev.tally.core.CoreFixtures.at;
import static dev.tally.core.CoreFixtures.dec;
import static dev.tally.core.CoreFixtures.event;
import static dev.tally.core.CoreFixtures.meter;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.aggregate.Aggregation;
import dev.tally.core.event.RejectionReason;
import dev.tally.core.event.UsageEvent;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MeterCatalogTest {

    private static final String LLM = "llm.tokens";

    private static MeterCatalog catalog(Meter... meters) {
        return new MeterCatalog(1, List.of(meters));
    }

    private static List<Contribution> contributions(Evaluation e) {
        assertThat(e).isInstanceOf(Evaluation.Contributions.class);
        return ((Evaluation.Contributions) e).contributions();
    }

    private static Contribution onlyContribution(Evaluation e) {
        List<Contribution> c = contributions(e);
        assertThat(c).hasSize(1);
        return c.get(0);
    }

    private static Evaluation.Rejected rejected(Evaluation e) {
        assertThat(e).isInstanceOf(Evaluation.Rejected.class);
        return (Evaluation.Rejected) e;
    }

    // ---- versions

    @Test
    void eventBeforeTheNewVersionsEffectiveTimeUsesTheOldVersion() {
        Meter v1 = meter("tokens").type(LLM).sum("tokens").build();
        Meter v2 = meter("tokens").type(LLM).computing(Aggregation.SUM, "tokens * 2").version(2, at("10:00")).build();
        MeterCatalog catalog = catalog(v2, v1);

        Contribution before = onlyContribution(catalog.evaluate(event("1", LLM, at("09:59:59.999999999"), "{'tokens': 5}")));
        assertThat(before.meter()).isEqualTo(v1);
        assertThat(before.value()).isEqualTo(dec("5"));

        Contribution atTheChange = onlyContribution(catalog.evaluate(event("2", LLM, at("10:00"), "{'tokens': 5}")));
        assertThat(atTheChange.meter()).isEqualTo(v2);
        assertThat(atTheChange.value()).isEqualTo(dec("10"));
    }

    @Test
    void versionsAreListedInAscendingOrderAndTheLatestIsTheHighest() {
        Meter v1 = meter("calls").build();
        Meter v2 = meter("calls").version(2, at("01:00")).build();
        Meter v3 = meter("calls").version(3, at("02:00")).build();
        MeterCatalog catalog = catalog(v3, v1, v2);
        assertThat(catalog.versionsByKey().get("calls")).containsExactly(v1, v2, v3);
        assertThat(catalog.latest("calls")).contains(v3);
        assertThat(catalog.inForceAt("calls", at("01:59"))).contains(v2);
        assertThat(catalog.inForceAt("calls", at("02:00"))).contains(v3);
        assertThat(catalog.latest("nope")).isEmpty();
    }

    @Test
    void eventBeforeTheFirstVersionMakesNoContribution() {
        Meter v1 = meter("calls").version(1, at("12:00")).build();
        MeterCatalog catalog = catalog(v1);
        UsageEvent early = event("1", "api.call", at("11:00"), "{}");
        assertThat(catalog.inForceAt("calls", at("11:00"))).isEmpty();
        assertThat(contributions(catalog.evaluate(early))).isEmpty();
        assertThat(catalog.contributionFor("calls", early)).isEmpty();
        assertThat(catalog.contributionsLenient(early)).isEmpty();
    }

    @Test
    void versionThatChangedTheEventTypeNoLongerTakesTheOldType() {
        Meter v1 = meter("calls").type("api.call").build();
        Meter v2 = meter("calls").type("api.request").version(2, at("10:00")).build();
        MeterCatalog catalog = catalog(v1, v2);
        assertThat(catalog.knowsType("api.call")).isTrue();
        assertThat(onlyContribution(catalog.evaluate(event("1", "api.call", at("09:00"), "{}"))).meter()).isEqualTo(v1);
        assertThat(contributions(catalog.evaluate(event("2", "api.call", at("11:00"), "{}")))).isEmpty();
        assertThat(onlyContribution(catalog.evaluate(event("3", "api.request", at("11:00"), "{}"))).meter()).isEqualTo(v2);
        assertThat(contributions(catalog.evaluate(event("4", "api.request", at("09:00"), "{}")))).isEmpty();
    }

    // ---- filters

    @Test
    void filterKeepsOnlyEventsWhoseValueIsInTheList() {
        MeterCatalog catalog = catalog(meter("eu-calls").filter("region", "eu-west", "eu-central").build());
        assertThat(contributions(catalog.evaluate(event("1", "api.call", at("01:00"), "{'region': 'eu-west'}")))).hasSize(1);
        assertThat(contributions(catalog.evaluate(event("2", "api.call", at("01:00"), "{'region': 'us-east'}")))).isEmpty();
        assertThat(contributions(catalog.evaluate(event("3", "api.call", at("01:00"), "{'region': 'EU-WEST'}")))).isEmpty();
    }

    @Test
    void filterExcludesEventsWithoutTheProperty() {
        MeterCatalog catalog = catalog(meter("eu-calls").filter("geo.region", "eu").build());
        assertThat(contributions(catalog.evaluate(event("1", "api.call", at("01:00"), "{}")))).isEmpty();
        assertThat(contributions(catalog.evaluate(event("2", "api.call", at("01:00"), "{'geo': null}")))).isEmpty();
        assertThat(contributions(catalog.evaluate(event("3", "api.call", at("01:00"), "{'geo': {'region': null}}")))).isEmpty();
        assertThat(contributions(catalog.evaluate(event("4", "api.call", at("01:00"), "{'geo': 'eu'}")))).isEmpty();
        assertThat(contributions(catalog.evaluate(event("5", "api.call", at("01:00"), "{'geo': {'region': 'eu'}}")))).hasSize(1);
    }

    @Test
    void filterComparesNumbersByTheirNormalisedText() {
        MeterCatalog catalog = catalog(meter("tier-one").filter("tier", "1").build());
        assertThat(contributions(catalog.evaluate(event("1", "api.call", at("01:00"), "{'tier': 1.0}")))).hasSize(1);
        assertThat(contributions(catalog.evaluate(event("2", "api.call", at("01:00"), "{'tier': '1'}")))).hasSize(1);
        assertThat(contributions(catalog.evaluate(event("3", "api.call", at("01:00"), "{'tier': 2}")))).isEmpty();
    }

    @Test
    void filteredOutEventIsNotRejectedEvenWhenItLacksTheValue() {
        MeterCatalog catalog = catalog(meter("eu-tokens").type(LLM).sum("tokens").filter("region", "eu").build());
        assertThat(contributions(catalog.evaluate(event("1", LLM, at("01:00"), "{'region': 'us'}")))).isEmpty();
    }

    // ---- group by

    @Test
    void groupByTakesEachDimensionAndLeavesAMissingOneAbsent() {
        MeterCatalog catalog = catalog(meter("tokens").type(LLM).sum("tokens").groupBy("model", "region").build());
        Contribution c = onlyContribution(catalog.evaluate(event("1", LLM, at("01:00"), "{'tokens': 3, 'model': 'big'}")));
        assertThat(c.group()).isEqualTo(GroupKey.of(List.of(Optional.of("big"), Optional.empty())));
        assertThat(c.group().get(1)).isEmpty();
        assertThat(c.meter().dimensions()).containsExactly("model", "region");
    }

    @Test
    void groupByNormalisesNumbersSoEqualQuantitiesGroupTogether() {
        MeterCatalog catalog = catalog(meter("calls").groupBy("size").build());
        GroupKey a = onlyContribution(catalog.evaluate(event("1", "api.call", at("01:00"), "{'size': 2.50}"))).group();
        GroupKey b = onlyContribution(catalog.evaluate(event("2", "api.call", at("01:00"), "{'size': 2.5}"))).group();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.get(0)).contains("2.5");
    }

    @Test
    void meterWithoutGroupByPutsEveryEventInOneGroup() {
        MeterCatalog catalog = catalog(meter("calls").build());
        assertThat(onlyContribution(catalog.evaluate(event("1", "api.call", at("01:00"), "{'x': 1}"))).group())
                .isEqualTo(GroupKey.NONE);
    }

    // ---- values

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            {}                     | VALUE_MISSING
            {'tokens': null}       | VALUE_MISSING
            {'usage': 5}           | VALUE_MISSING
            {'tokens': 'many'}     | VALUE_NOT_NUMERIC
            {'tokens': true}       | VALUE_NOT_NUMERIC
            {'tokens': {'n': 1}}   | VALUE_NOT_NUMERIC
            {'tokens': [1]}        | VALUE_NOT_NUMERIC
            """)
    void eventWithoutANumberAtTheValuePathIsRejected(String data, RejectionReason reason) {
        String path = data.contains("usage") ? "usage.tokens" : "tokens";
        MeterCatalog catalog = catalog(meter("tokens").type(LLM).sum(path).build());
        Evaluation.Rejected r = rejected(catalog.evaluate(event("1", LLM, at("01:00"), data)));
        assertThat(r.reason()).isEqualTo(reason);
        assertThat(r.detail()).contains("tokens");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            {'tokens': '12.5'}        | 12.5
            {'tokens': '-3'}          | -3
            {'tokens': 0.1}           | 0.1
            {'tokens': 12345678901234567890123} | 12345678901234567890123
            """)
    void numbersAndNumericStringsAreTakenExactly(String data, String expected) {
        MeterCatalog catalog = catalog(meter("tokens").type(LLM).sum("$.tokens").build());
        assertThat(onlyContribution(catalog.evaluate(event("1", LLM, at("01:00"), data))).value())
                .isEqualTo(dec(expected));
    }

    @Test
    void numberWithMoreThanAHundredDigitsIsNotNumeric() {
        MeterCatalog catalog = catalog(meter("tokens").type(LLM).sum("tokens").build());
        String big = "{'tokens': '1" + "0".repeat(100) + ".5'}";
        assertThat(rejected(catalog.evaluate(event("1", LLM, at("01:00"), big))).reason())
                .isEqualTo(RejectionReason.VALUE_NOT_NUMERIC);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            tokens * 2                           | {}                      | VALUE_MISSING
            tokens * 2                           | {'tokens': 'x'}         | VALUE_NOT_NUMERIC
            tokens / seconds                     | {'tokens': 1, 'seconds': 0} | EXPRESSION_ERROR
            lookup(model, 'big', 30, 'small', 1) | {'model': 'huge'}       | EXPRESSION_ERROR
            """)
    void expressionErrorsMapToRejectionReasons(String expression, String data, RejectionReason reason) {
        MeterCatalog catalog = catalog(meter("cost").type(LLM).computing(Aggregation.SUM, expression).build());
        Evaluation.Rejected r = rejected(catalog.evaluate(event("1", LLM, at("01:00"), data)));
        assertThat(r.reason()).isEqualTo(reason);
        assertThat(r.detail()).startsWith("meter 'cost': ");
    }

    @Test
    void expressionValueIsTheContribution() {
        MeterCatalog catalog = catalog(meter("cost").type(LLM)
                .computing(Aggregation.SUM, "tokens * lookup(model, 'big', 30, 'small', 1)").build());
        assertThat(onlyContribution(catalog.evaluate(event("1", LLM, at("01:00"), "{'tokens': 0.5, 'model': 'big'}")))
                .value()).isEqualTo(dec("15"));
    }

    @Test
    void countContributesZeroAndNoDistinctText() {
        Contribution c = onlyContribution(catalog(meter("calls").build())
                .evaluate(event("1", "api.call", at("01:00"), "{'x': 'y'}")));
        assertThat(c.value()).isEqualTo(dec("0"));
        assertThat(c.distinct()).isEmpty();
    }

    @Test
    void uniqueCountContributesTheValuesNormalisedText() {
        MeterCatalog catalog = catalog(meter("users").of(Aggregation.UNIQUE_COUNT, "user").build());
        assertThat(onlyContribution(catalog.evaluate(event("1", "api.call", at("01:00"), "{'user': 'u-1'}"))).distinct())
                .isEqualTo("u-1");
        assertThat(onlyContribution(catalog.evaluate(event("2", "api.call", at("01:00"), "{'user': 10.0}"))).distinct())
                .isEqualTo("10");
        assertThat(onlyContribution(catalog.evaluate(event("3", "api.call", at("01:00"), "{'user': true}"))).distinct())
                .isEqualTo("true");
        assertThat(rejected(catalog.evaluate(event("4", "api.call", at("01:00"), "{}"))).reason())
                .isEqualTo(RejectionReason.VALUE_MISSING);
    }

    // ---- matching

    @Test
    void eventOfAnUnknownTypeHasNoContributions() {
        MeterCatalog catalog = catalog(meter("calls").build());
        UsageEvent other = event("1", "something.else", at("01:00"), "{}");
        assertThat(catalog.knowsType("something.else")).isFalse();
        assertThat(catalog.evaluate(other)).isEqualTo(Evaluation.Contributions.NONE);
        assertThat(catalog.contributionsLenient(other)).isEmpty();
        assertThat(MeterCatalog.EMPTY.evaluate(other)).isEqualTo(Evaluation.Contributions.NONE);
    }

    @Test
    void eventContributesToEveryMeterOfItsType() {
        MeterCatalog catalog = catalog(
                meter("calls").type(LLM).build(),
                meter("tokens").type(LLM).sum("tokens").build(),
                meter("peak").type(LLM).of(Aggregation.MAX, "tokens").build(),
                meter("other").type("api.call").build());
        List<Contribution> c = contributions(catalog.evaluate(event("1", LLM, at("01:00"), "{'tokens': 7}")));
        assertThat(c).extracting(x -> x.meter().key()).containsExactlyInAnyOrder("calls", "tokens", "peak");
    }

    @Test
    void oneMeterLackingItsValueRejectsTheWholeEvent() {
        MeterCatalog catalog = catalog(
                meter("calls").type(LLM).build(),
                meter("tokens").type(LLM).sum("tokens").build());
        assertThat(rejected(catalog.evaluate(event("1", LLM, at("01:00"), "{}"))).reason())
                .isEqualTo(RejectionReason.VALUE_MISSING);
    }

    @Test
    void lenientContributionsSkipMetersTheEventLacksAValueFor() {
        MeterCatalog catalog = catalog(
                meter("calls").type(LLM).build(),
                meter("tokens").type(LLM).sum("tokens").build(),
                meter("cost").type(LLM).computing(Aggregation.SUM, "price * 2").build(),
                meter("peak").type(LLM).of(Aggregation.MAX, "price").build());
        UsageEvent e = event("1", LLM, at("01:00"), "{'price': 'free'}");
        assertThat(catalog.contributionsLenient(e)).extracting(c -> c.meter().key()).containsExactly("calls");
        assertThat(catalog.contributionFor("tokens", e)).isEmpty();
        assertThat(catalog.contributionFor("calls", e)).isPresent();
        assertThat(catalog.contributionFor("no-such-meter", e)).isEmpty();
    }

    @Test
    void generationIsKept() {
        assertThat(new MeterCatalog(42, List.of()).generation()).isEqualTo(42);
        assertThat(MeterCatalog.EMPTY.versionsByKey()).isEmpty();
    }
}

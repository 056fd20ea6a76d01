package dev.tally.core.expression;

import static dev.tally.core.expression.Events.dec;
import static dev.tally.core.expression.Events.eval;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExpressionFunctionTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '=', value = {
        "min(3, 1, 2) = 1",
        "min(2.5, -1) = -1",
        "max(3, 1, 2) = 3",
        "max(-2, -1.5) = -1.5",
        "min(x, 100) = 42",
        "max(x, 100) = 100",
        "ceil(1.2) = 2",
        "ceil(-1.2) = -1",
        "ceil(5) = 5",
        "floor(1.8) = 1",
        "floor(-1.2) = -2",
        "floor(x / 10) = 4",
        "abs(-3.5) = 3.5",
        "abs(2) = 2",
        "round(2.345, 2) = 2.35",
        "round(2.5, 0) = 3",
        "round(-2.5, 0) = -3",
        "round(2.4, 0) = 2",
        "round(1.25, 5) = 1.25",
        "round(1250, -2) = 1300",
        "round(x, -1) = 40",
        "round(1 / 3, 4) = 0.3333",
        "ceil(duration_ms / 1000) = 2",
        "min(max(x, 10), 20) = 20",
    })
    void functionsComputeTheirDocumentedResults(String source, String expected) {
        assertThat(eval(source, "{'x': 42, 'duration_ms': 1001}")).isEqualTo(dec(expected));
    }

    @Test
    void roundingToNegativeDigitsStillPrintsPlainly() {
        assertThat(eval("round(1250, -2)").toString()).isEqualTo("1300");
    }

    @Test
    void lookupPicksTheValueForTheMatchingKey() {
        String pricing = "tokens * lookup(model, 'gpt-4', 30, 'gpt-3.5', 1, 1)";
        assertThat(eval(pricing, "{'tokens': 10, 'model': 'gpt-4'}")).isEqualTo(dec("300"));
        assertThat(eval(pricing, "{'tokens': 10, 'model': 'gpt-3.5'}")).isEqualTo(dec("10"));
    }

    @Test
    void lookupFallsBackToTheDefaultWhenNoKeyMatches() {
        String pricing = "tokens * lookup(model, 'gpt-4', 30, 'gpt-3.5', 1, 2)";
        assertThat(eval(pricing, "{'tokens': 10, 'model': 'claude'}")).isEqualTo(dec("20"));
        assertThat(eval(pricing, "{'tokens': 10, 'model': 'GPT-4'}"))
                .as("keys are compared case-sensitively")
                .isEqualTo(dec("20"));
    }

    @Test
    void lookupWithoutDefaultAndNoMatchFailsWithNoLookupMatch() {
        assertThatThrownBy(() -> eval("lookup(model, 'a', 1, 'b', 2)", "{'model': 'c'}"))
                .isInstanceOfSatisfying(ExpressionEvaluationException.class, e -> {
                    assertThat(e.reason()).isEqualTo("no_lookup_match");
                    assertThat(e.fieldPath()).contains("model");
                    assertThat(e.getMessage()).contains("model").doesNotContain("'c'");
                });
    }

    @Test
    void lookupComparesNumbersAndBooleansByTheirText() {
        String byTier = "lookup(tier, '1', 10, '2', 20, '2.5', 25, 'true', 1, 'false', 0)";
        assertThat(eval(byTier, "{'tier': 2}")).isEqualTo(dec("20"));
        assertThat(eval(byTier, "{'tier': '1'}")).isEqualTo(dec("10"));
        assertThat(eval(byTier, "{'tier': 2.5}")).isEqualTo(dec("25"));
        assertThat(eval(byTier, "{'tier': true}")).isEqualTo(dec("1"));
        assertThat(eval(byTier, "{'tier': false}")).isEqualTo(dec("0"));
    }

    @Test
    void lookupNeverMatchesAnObjectOrArrayValue() {
        assertThat(eval("lookup(m, 'a', 1, 7)", "{'m': {'a': 1}}")).isEqualTo(dec("7"));
        assertThatThrownBy(() -> eval("lookup(m, 'a', 1)", "{'m': ['a']}"))
                .isInstanceOfSatisfying(ExpressionEvaluationException.class,
                        e -> assertThat(e.reason()).isEqualTo("no_lookup_match"));
    }

    @Test
    void lookupOnAMissingFieldIsMissingFieldEvenWithADefault() {
        assertThatThrownBy(() -> eval("lookup(model, 'a', 1, 0)", "{}"))
                .isInstanceOfSatisfying(ExpressionEvaluationException.class,
                        e -> assertThat(e.reason()).isEqualTo("missing_field"));
    }

    @Test
    void lookupEvaluatesOnlyTheChosenValue() {
        String source = "lookup(kind, 'api', calls, 'batch', rows / 0, 1)";
        assertThat(eval(source, "{'kind': 'api', 'calls': 5}")).isEqualTo(dec("5"));
        assertThat(eval(source, "{'kind': 'other'}")).isEqualTo(dec("1"));
    }

    @Test
    void lookupValuesAndDefaultMayBeExpressions() {
        String source = "lookup(plan, 'pro', base * 2, 'it''s', 9, base - 1)";
        assertThat(eval(source, "{'plan': 'pro', 'base': 4}")).isEqualTo(dec("8"));
        assertThat(eval(source, "{'plan': 'free', 'base': 4}")).isEqualTo(dec("3"));
        assertThat(Expression.parse(source).evaluate(Events.parseWith(Events.EXACT, "{\"plan\": \"it's\"}")))
                .as("'' in a key stands for one quote")
                .isEqualTo(dec("9"));
    }

    @Test
    void lookupKeyMayBeADottedOrQuotedPath() {
        assertThat(eval("lookup(`meta-data`.model, 'x', 3)", "{'meta-data': {'model': 'x'}}"))
                .isEqualTo(dec("3"));
    }
}

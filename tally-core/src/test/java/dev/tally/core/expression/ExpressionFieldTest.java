package dev.tally.core.expression;

import static dev.tally.core.expression.Events.dec;
import static dev.tally.core.expression.Events.eval;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExpressionFieldTest {

    @Test
    void dottedPathsReadNestedObjects() {
        assertThat(eval("usage.input_tokens + usage.output_tokens * 3",
                "{'usage': {'input_tokens': 100, 'output_tokens': 20}}")).isEqualTo(dec("160"));
        assertThat(eval("a.b.c", "{'a': {'b': {'c': 7}}}")).isEqualTo(dec("7"));
    }

    @Test
    void backtickQuotedSegmentsReadKeysThatAreNotIdentifiers() {
        assertThat(eval("`x-y`.z", "{'x-y': {'z': 5}}")).isEqualTo(dec("5"));
        assertThat(eval("meta.`dotted.key` * 2", "{'meta': {'dotted.key': 4}}")).isEqualTo(dec("8"));
        assertThat(eval("`with space`", "{'with space': 1.5}")).isEqualTo(dec("1.5"));
        assertThat(eval("`tick``key`", "{'tick`key': 3}")).isEqualTo(dec("3"));
        assertThat(eval("`min`", "{'min': 3}")).as("a quoted name is never a function").isEqualTo(dec("3"));
    }

    @Test
    void aFieldMayShareItsNameWithAFunction() {
        assertThat(eval("min + max(min, 1)", "{'min': 5}")).isEqualTo(dec("10"));
    }

    @Test
    void stringsHoldingPlainDecimalsAreNumbers() {
        assertThat(eval("a + b", "{'a': '12.5', 'b': '-0.5'}")).isEqualTo(dec("12"));
        assertThat(eval("a", "{'a': '007'}")).isEqualTo(dec("7"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "1e3", "1.", ".5", "+5", " 5", "5 ", "1,000", "0x10", "NaN", "Infinity", "--1"})
    void stringsThatAreNotPlainDecimalsAreNotANumber(String value) {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("a", value);
        assertThatThrownBy(() -> Expression.parse("a").evaluate(data))
                .isInstanceOfSatisfying(ExpressionEvaluationException.class, e -> {
                    assertThat(e.reason()).isEqualTo("not_a_number");
                    assertThat(e.fieldPath()).contains("a");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"{'a': true}", "{'a': {'b': 1}}", "{'a': [1]}"})
    void nonNumericJsonValuesAreNotANumber(String json) {
        assertThatThrownBy(() -> eval("a + 1", json))
                .isInstanceOfSatisfying(ExpressionEvaluationException.class,
                        e -> assertThat(e.reason()).isEqualTo("not_a_number"));
    }

    @Test
    void errorMessagesNameTheFieldButNotItsValue() {
        assertThatThrownBy(() -> eval("usage.secret", "{'usage': {'secret': 'hunter2'}}"))
                .hasMessageContaining("usage.secret")
                .hasMessageNotContaining("hunter2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{'tokens': null}", "{'usage': 5}", "{'usage': null}", "{'usage': {}}", "[]", "3"})
    void absentOrNullFieldsAreMissing(String json) {
        assertThatThrownBy(() -> eval("usage.tokens + 0 * tokens", json))
                .isInstanceOfSatisfying(ExpressionEvaluationException.class, e -> {
                    assertThat(e.reason()).isEqualTo("missing_field");
                    assertThat(e.fieldPath()).contains("usage.tokens");
                    assertThat(e.getMessage()).contains("usage.tokens");
                });
    }

    @Test
    void missingQuotedFieldsAreReportedInTheirCanonicalSpelling() {
        assertThatThrownBy(() -> eval("`x-y`.z", "{}"))
                .isInstanceOfSatisfying(ExpressionEvaluationException.class,
                        e -> assertThat(e.fieldPath()).contains("`x-y`.z"));
    }

    @Test
    void decimalNodesAreReadExactly() {
        assertThat(eval("a", "{'a': 0.12345678901234567890123}")).isEqualTo(dec("0.12345678901234567890123"));
    }

    @Test
    void integersOfAnySizeAreReadExactly() {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("int", 7).put("long", 9_000_000_000L).put("short", (short) 3)
                .put("big", new BigInteger("123456789012345678901234567890"));
        assertThat(Expression.parse("int + long + short + big").evaluate(data))
                .isEqualTo(dec("123456789012345678910234567900"));
    }

    @Test
    void doublesFromADefaultMapperAreRefusedBecauseTheirExactDigitsAreLost() {
        JsonNode data = Events.parseWith(new ObjectMapper(), "{\"a\": 0.1, \"b\": 0.2}");
        assertThat(data.get("a").isDouble()).isTrue();
        assertThatThrownBy(() -> Expression.parse("a + b").evaluate(data))
                .isInstanceOfSatisfying(ExpressionEvaluationException.class,
                        e -> assertThat(e.reason()).isEqualTo("not_a_number"));
    }

    @Test
    void floatNodesAreRefusedBecauseTheirExactDigitsAreLost() {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("f", 0.1f);
        assertThatThrownBy(() -> Expression.parse("f").evaluate(data))
                .isInstanceOfSatisfying(ExpressionEvaluationException.class,
                        e -> assertThat(e.reason()).isEqualTo("not_a_number"));
    }

    @Test
    void nonFiniteDoublesAreNotANumber() {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("d", Double.NaN);
        assertThatThrownBy(() -> Expression.parse("d").evaluate(data))
                .isInstanceOfSatisfying(ExpressionEvaluationException.class,
                        e -> assertThat(e.reason()).isEqualTo("not_a_number"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{'a': 1e999999999}", "{'a': 1e-999999999}", "{'a': 1e101}"})
    void absurdMagnitudesAreRefusedSoHostileDataCannotMakeArithmeticSlow(String json) {
        assertThatThrownBy(() -> eval("a + 0.1", json))
                .isInstanceOfSatisfying(ExpressionEvaluationException.class,
                        e -> assertThat(e.reason()).isEqualTo("not_a_number"));
    }

    @Test
    void overlongNumericStringsAreRefused() {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("a", "9".repeat(101));
        assertThatThrownBy(() -> Expression.parse("a").evaluate(data))
                .isInstanceOfSatisfying(ExpressionEvaluationException.class,
                        e -> assertThat(e.reason()).isEqualTo("not_a_number"));
    }

    @Test
    void largeButReasonableMagnitudesAreAccepted() {
        // the published range of event values: 100 digits before the point (1e99) and 100 after
        assertThat(eval("a", "{'a': 1e99}")).isEqualTo(dec("1" + "0".repeat(99)));
        assertThat(eval("a", "{'a': 1.000000000000000000000000000000000000000000000000000"
                + "0000000000000000000000000000000000000000000000000000000000000}")).isEqualTo(dec("1"));
    }
}

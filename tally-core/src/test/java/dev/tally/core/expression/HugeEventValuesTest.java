package dev.tally.core.expression;

import static dev.tally.core.expression.Events.dec;
import static dev.tally.core.expression.Events.eval;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.meter.DataPath;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Event values with exponents far outside the published range (100 digits on each side) are not numbers to meters
 * and expressions: refused as not_a_number (or not numeric to a value path), never printed plainly or multiplied.
 */
class HugeEventValuesTest {

    @ParameterizedTest
    @ValueSource(strings = {"1e2147483647", "-1e-2147483647", "1E+999999999", "1e100", "1e-101"})
    void refusesExponentBeyondTheEventValueRange(String value) {
        assertThatThrownBy(() -> eval("a * 2", "{'a': " + value + "}"))
                .isInstanceOfSatisfying(ExpressionEvaluationException.class,
                        e -> assertThat(e.reason()).isEqualTo("not_a_number"));
        assertThat(DataPath.number(Events.data("{'a': " + value + "}").get("a"))).isEmpty();
        assertThat(DataPath.number(Events.data("{'a': '" + value + "'}").get("a"))).isEmpty();
        // a lookup compares the value's text with its keys without ever printing the huge number plainly
        assertThat(eval("lookup(a, '1', 5, 7)", "{'a': " + value + "}")).isEqualTo(dec("7"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e99", "1e-100", "12.5"})
    void acceptsEventValuesInsideTheRange(String value) {
        assertThat(eval("a", "{'a': " + value + "}")).isEqualByComparingTo(value);
        assertThat(DataPath.number(Events.data("{'a': '" + value + "'}").get("a")).orElseThrow())
                .isEqualByComparingTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1" + "0000000000", "5"})
    void boundsNumberLiteralsInExpressions(String value) {
        assertThat(Expression.parse("a * " + value)).isNotNull();
        assertThatThrownBy(() -> Expression.parse("a * 1" + "0".repeat(100)))
                .isInstanceOf(InvalidExpressionException.class).hasMessageContaining("too many digits");
    }
}

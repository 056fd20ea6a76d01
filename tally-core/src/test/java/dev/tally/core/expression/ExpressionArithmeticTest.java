package dev.tally.core.expression;

import static dev.tally.core.expression.Events.dec;
import static dev.tally.core.expression.Events.eval;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExpressionArithmeticTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '=', value = {
        "1 + 2 * 3 = 7",
        "(1 + 2) * 3 = 9",
        "2 * 3 + 4 * 5 = 26",
        "10 - 4 / 2 = 8",
        "10 - 3 - 2 = 5",
        "16 / 4 / 2 = 2",
        "2 * (3 + (4 - 1)) * 2 = 24",
        "((((7)))) = 7",
        " 1+2*3 = 7",
    })
    void multiplicationAndDivisionBindTighterThanAdditionAndAllAreLeftAssociative(String source, String expected) {
        assertThat(eval(source)).isEqualTo(dec(expected));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '=', value = {
        "-3 = -3",
        "-3 + 5 = 2",
        "5 - -3 = 8",
        "- - 3 = 3",
        "-(2 + 3) * 2 = -10",
        "2 * -3 = -6",
        "-x = -4",
        "-x * -x = 16",
        "-(x) - x = -8",
    })
    void unaryMinusNegatesItsOperand(String source, String expected) {
        assertThat(eval(source, "{'x': 4}")).isEqualTo(dec(expected));
    }

    @Test
    void decimalsAreAddedExactly() {
        assertThat(eval("a + b", "{'a': 0.1, 'b': 0.2}")).isEqualTo(dec("0.3"));
        assertThat(eval("0.1 + 0.2")).isEqualTo(dec("0.3"));
        assertThat(eval("0.1 * 3 - 0.3")).isEqualTo(dec("0"));
    }

    @Test
    void exactArithmeticKeepsEveryDigit() {
        assertThat(eval("a * b", "{'a': 12345678901234567890.123456789, 'b': 1000000.000001}"))
                .isEqualTo(dec("12345678901246913569024691.356890123456789"))
                .extracting(v -> v.toPlainString())
                .isEqualTo("12345678901246913569024691.356890123456789");
    }

    @Test
    void divisionIsExactWhenTheQuotientTerminates() {
        assertThat(eval("10 / 4")).isEqualTo(dec("2.5"));
        assertThat(eval("1 / 8")).isEqualTo(dec("0.125"));
        assertThat(eval("duration_ms / 1000", "{'duration_ms': 1500}")).isEqualTo(dec("1.5"));
    }

    @Test
    void divisionRoundsToThirtyFourSignificantDigits() {
        assertThat(eval("1 / 3")).isEqualTo(dec("0.3333333333333333333333333333333333"));
        assertThat(eval("2 / 3")).isEqualTo(dec("0.6666666666666666666666666666666667"));
        assertThat(eval("2 / 3").precision()).isEqualTo(34);
    }

    @Test
    void divisionByZeroFailsWithItsReason() {
        assertThatThrownBy(() -> eval("1 / 0"))
                .isInstanceOfSatisfying(ExpressionEvaluationException.class, e -> {
                    assertThat(e.reason()).isEqualTo("division_by_zero");
                    assertThat(e.fieldPath()).isEmpty();
                });
        assertThatThrownBy(() -> eval("x / (y - y)", "{'x': 1, 'y': 0.5}"))
                .isInstanceOfSatisfying(ExpressionEvaluationException.class,
                        e -> assertThat(e.reason()).isEqualTo(ExpressionEvaluationException.DIVISION_BY_ZERO));
    }

    @Test
    void zeroDividedBySomethingIsZero() {
        assertThat(eval("0 / 7")).isEqualTo(dec("0"));
    }

    @Test
    void resultsHaveTrailingZerosStrippedAndNoNegativeScale() {
        assertThat(eval("1.50 * 2")).isEqualTo(dec("3"));
        assertThat(eval("x", "{'x': 2.500}")).isEqualTo(dec("2.5"));
        assertThat(eval("x * 1000", "{'x': 3}")).isEqualTo(dec("3000"))
                .satisfies(v -> assertThat(v.scale()).isZero())
                .satisfies(v -> assertThat(v.toString()).isEqualTo("3000"));
        assertThat(eval("12000 / 4").toString()).isEqualTo("3000");
        assertThat(eval("0.000")).isEqualTo(dec("0"));
    }

    @Test
    void aConstantExpressionIgnoresTheData() {
        assertThat(eval("42", "[1, 2]")).isEqualTo(dec("42"));
    }
}

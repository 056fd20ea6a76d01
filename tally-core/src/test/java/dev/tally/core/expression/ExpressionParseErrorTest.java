package dev.tally.core.expression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExpressionParseErrorTest {

    private static InvalidExpressionException rejected(String source) {
        try {
            Expression.parse(source);
        } catch (InvalidExpressionException e) {
            return e;
        }
        throw new AssertionError("expected " + source + " to be rejected");
    }

    @ParameterizedTest(name = "[{0}] fails at column {1}: {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        // trailing or doubled operators
        "1 +            | 4  | unexpected end of input at column 4 (expected a number, field, function call or '(')",
        "a * * b        | 5  | unexpected '*' at column 5",
        "a b            | 3  | unexpected field b at column 3 (expected an operator or end of input)",
        // unbalanced parentheses
        "(1 + 2         | 7  | unexpected end of input at column 7 (expected ')')",
        "1 + 2)         | 6  | unexpected ')' at column 6 (expected an operator or end of input)",
        "max(1, 2       | 9  | unexpected end of input at column 9 (expected ',' or ')')",
        "()             | 2  | unexpected ')' at column 2",
        // unknown functions
        "foo(1)         | 1  | unknown function 'foo' at column 1 (expected one of abs, ceil, floor, lookup, max, min, round)",
        "2 * MIN(a, b)  | 5  | unknown function 'MIN' at column 5",
        "a.min(1, 2)    | 1  | unknown function 'a.min'",
        // lexical errors
        "''             | 1  | unexpected string '' at column 1",
        "1.             | 3  | unexpected end of input at column 3 (expected a digit after the decimal point)",
        "1e3            | 2  | unexpected field e3 at column 2",
        ".5             | 1  | unexpected character '.' at column 1",
        "a.             | 3  | (expected a field name after '.')",
        "a # b          | 3  | unexpected character '#' at column 3",
        "'abc           | 1  | unterminated string literal at column 1",
        "`abc + 1       | 1  | unterminated `quoted` field name at column 1",
        "``             | 1  | empty `quoted` field name at column 1",
        "+1             | 1  | unexpected '+' at column 1",
        // misplaced strings and bad calls
        "'a' + 1        | 1  | strings are only allowed as lookup keys",
        "max('a', 1)    | 5  | unexpected string 'a' at column 5",
        "ceil(1, 2)     | 1  | wrong number of arguments to ceil (2) at column 1 (expected exactly 1)",
        "abs()          | 1  | wrong number of arguments to abs (0)",
        "min(1)         | 1  | too few arguments to min (1) at column 1 (expected at least 2)",
        "round(x)       | 1  | wrong number of arguments to round (1)",
        "round(x, y)    | 10 | invalid digits for round at column 10 (expected an integer literal between -32 and 32)",
        "round(x, 1.5)  | 10 | invalid digits for round",
        "round(x, 33)   | 10 | invalid digits for round",
        "lookup(m, 'a') | 1  | too few arguments to lookup (2)",
        "lookup(1, 'a', 1)      | 8  | invalid lookup key at column 8 (expected a field path)",
        "lookup(m + 1, 'a', 1)  | 8  | invalid lookup key",
        "lookup(m, 1, 2)        | 11 | invalid lookup case at column 11 (expected a 'quoted' string key)",
        "lookup(m, 'a', 'b')    | 16 | unexpected string 'b' at column 16",
        "lookup(m, 'a', 1, 'a', 2) | 19 | duplicate lookup key 'a' at column 19",
    })
    void malformedSourcesAreRejectedWithTheColumnAndWhatWasExpected(String source, int column, String message) {
        InvalidExpressionException e = rejected(source);
        assertThat(e.column()).isEqualTo(column);
        assertThat(e.line()).isEqualTo(1);
        assertThat(e.getMessage()).contains(message);
    }

    @Test
    void emptyAndBlankSourcesAreRejected() {
        assertThat(rejected("").getMessage())
                .isEqualTo("unexpected end of input at column 1 (expected a number, field, function call or '(')");
        assertThat(rejected("   ").column()).isEqualTo(4);
    }

    @Test
    void sourcesLongerThanTheLimitAreRejectedAtTheFirstExcessColumn() {
        String tooLong = "1" + " + 1".repeat(250);
        assertThat(tooLong).hasSize(1001);
        InvalidExpressionException e = rejected(tooLong);
        assertThat(e.column()).isEqualTo(1001);
        assertThat(e.getMessage()).contains("too long (1001 characters)").contains("at most 1000 characters");

        String atLimit = "1" + " + 1".repeat(249) + "   ";
        assertThat(atLimit).hasSize(1000);
        assertThat(Expression.parse(atLimit).evaluate(Events.data("{}"))).isEqualTo(Events.dec("250"));
    }

    @Test
    void nestingDeeperThanTheLimitIsRejected() {
        String deepest = "(".repeat(32) + "x" + ")".repeat(32);
        assertThatCode(() -> Expression.parse(deepest)).doesNotThrowAnyException();

        InvalidExpressionException parens = rejected("(".repeat(33) + "x" + ")".repeat(33));
        assertThat(parens.column()).isEqualTo(33);
        assertThat(parens.getMessage()).contains("nested too deeply").contains("at most 32");

        assertThat(rejected("abs(".repeat(33) + "x" + ")".repeat(33)).column()).isEqualTo(129);
        assertThat(rejected("-".repeat(33) + "x").column()).isEqualTo(33);
        assertThat(rejected("-(".repeat(17) + "x" + ")".repeat(17)).getMessage()).contains("nested too deeply");
    }

    @Test
    void longFlatChainsAreNotNesting() {
        assertThat(Expression.parse("x" + " + x".repeat(240)).evaluate(Events.data("{'x': 1}")))
                .isEqualTo(Events.dec("241"));
    }

    @Test
    void callsWithMoreThanSixtyFourArgumentsAreRejected() {
        String sixtyFour = "max(" + "1, ".repeat(63) + "2)";
        assertThat(Expression.parse(sixtyFour).evaluate(Events.data("{}"))).isEqualTo(Events.dec("2"));

        String sixtyFive = "max(" + "1, ".repeat(64) + "2)";
        InvalidExpressionException e = rejected(sixtyFive);
        assertThat(e.column()).isEqualTo(5 + 64 * 3);
        assertThat(e.getMessage()).contains("too many arguments to max").contains("at most 64");
    }

    @Test
    void multiLineSourcesReportLineAndColumn() {
        InvalidExpressionException e = rejected("tokens *\n  lookup(model,\n    'a', 1,,)");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.column()).isEqualTo(12);
        assertThat(e.getMessage()).contains("unexpected ',' at line 3, column 12");
    }

    @Test
    void invalidExpressionExceptionIsAnUncheckedIllegalArgument() {
        assertThat(rejected(")")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aNullSourceIsAProgrammingError() {
        assertThatThrownBy(() -> Expression.parse(null)).isInstanceOf(NullPointerException.class);
    }
}

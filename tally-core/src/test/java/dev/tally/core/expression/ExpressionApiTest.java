package dev.tally.core.expression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ExpressionApiTest {

    @Test
    void fieldPathsListsEveryPathReadOnceInOrderOfFirstUse() {
        Expression e = Expression.parse(
                "usage.in + lookup(model, 'a', usage.out, 'b', 2 * usage.in, `x-y`.z) + max(`plain`, `tick``s`)");
        assertThat(e.fieldPaths())
                .containsExactly("usage.in", "model", "usage.out", "`x-y`.z", "plain", "`tick``s`");
    }

    @Test
    void fieldPathsOfAConstantExpressionIsEmpty() {
        assertThat(Expression.parse("round(1 / 3, 2)").fieldPaths()).isEmpty();
    }

    @Test
    void fieldPathsIsUnmodifiable() {
        Expression e = Expression.parse("a + b");
        assertThatThrownBy(() -> e.fieldPaths().add("c")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void canonicalFieldPathsParseBackToTheSamePath() {
        Expression e = Expression.parse("`a.b`.`c d`.e_1");
        String path = e.fieldPaths().iterator().next();
        assertThat(Expression.parse(path).fieldPaths()).containsExactly(path);
    }

    @Test
    void sourceIsKeptVerbatim() {
        assertThat(Expression.parse("  a *  2 ").source()).isEqualTo("  a *  2 ");
    }

    @Test
    void equalityHashCodeAndToStringFollowTheSourceText() {
        Expression a = Expression.parse("x + 1");
        assertThat(a).isEqualTo(Expression.parse("x + 1")).hasSameHashCodeAs(Expression.parse("x + 1"));
        assertThat(a).isNotEqualTo(Expression.parse("x+1"));
        assertThat(a).hasToString("x + 1");
    }

    @Test
    void evaluateRejectsNullData() {
        assertThatThrownBy(() -> Expression.parse("1").evaluate(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void anExpressionCanBeEvaluatedManyTimesWithDifferentData() {
        Expression e = Expression.parse("tokens * lookup(model, 'a', 2, 'b', 3, 1)");
        assertThat(e.evaluate(Events.data("{'tokens': 5, 'model': 'a'}"))).isEqualTo(Events.dec("10"));
        assertThat(e.evaluate(Events.data("{'tokens': 5, 'model': 'b'}"))).isEqualTo(Events.dec("15"));
        assertThat(e.evaluate(Events.data("{'tokens': 5, 'model': 'z'}"))).isEqualTo(Events.dec("5"));
    }
}

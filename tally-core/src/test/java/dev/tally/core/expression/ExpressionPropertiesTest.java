package dev.tally.core.expression;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

class ExpressionPropertiesTest {

    private static final Expression A_PLUS_B_TIMES_C = Expression.parse("a + b * c");
    private static final Expression A_PLUS_B_MINUS_B = Expression.parse("(a + b) - b");
    private static final Expression A = Expression.parse("a");

    @Provide
    Arbitrary<BigDecimal> decimals() {
        Arbitrary<BigDecimal> integers = Arbitraries.longs().map(BigDecimal::valueOf);
        Arbitrary<BigDecimal> fractions = Arbitraries.integers().between(0, 30).flatMap(scale ->
                Arbitraries.bigDecimals()
                        .between(new BigDecimal("-1e15"), new BigDecimal("1e15"))
                        .ofScale(scale));
        return Arbitraries.oneOf(integers, fractions);
    }

    /** Puts each value in as a JSON number or, sometimes, as a numeric string. */
    private static JsonNode data(boolean asStrings, BigDecimal a, BigDecimal b, BigDecimal c) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        if (asStrings) {
            data.put("a", a.toPlainString()).put("b", b.toPlainString()).put("c", c.toPlainString());
        } else {
            data.put("a", a).put("b", b).put("c", c);
        }
        return data;
    }

    @Property
    void additionAndMultiplicationAreExact(@ForAll("decimals") BigDecimal a, @ForAll("decimals") BigDecimal b,
            @ForAll("decimals") BigDecimal c, @ForAll boolean asStrings) {
        BigDecimal result = A_PLUS_B_TIMES_C.evaluate(data(asStrings, a, b, c));
        assertThat(result).isEqualByComparingTo(a.add(b.multiply(c)));
    }

    @Property
    void addingThenSubtractingTheSameValueGivesBackTheOriginal(@ForAll("decimals") BigDecimal a,
            @ForAll("decimals") BigDecimal b, @ForAll boolean asStrings) {
        BigDecimal result = A_PLUS_B_MINUS_B.evaluate(data(asStrings, a, b, BigDecimal.ZERO));
        assertThat(result).isEqualByComparingTo(a);
        assertThat(result).isEqualTo(A.evaluate(data(asStrings, a, b, BigDecimal.ZERO)));
    }

    @Property
    void resultsAreNormalisedSoEqualQuantitiesAreEqual(@ForAll("decimals") BigDecimal a) {
        BigDecimal result = A.evaluate(data(false, a, a, a));
        assertThat(result.scale()).isNotNegative();
        assertThat(result).isEqualByComparingTo(a);
        assertThat(result.scale() == 0 || result.unscaledValue().mod(java.math.BigInteger.TEN).signum() != 0)
                .as("no trailing fractional zeros in %s", result)
                .isTrue();
    }

    @Property
    void jsonTextRoundTripsExactlyWithBigDecimalParsing(@ForAll("decimals") BigDecimal a) {
        JsonNode data = Events.parseWith(Events.EXACT, "{\"a\": " + a.toPlainString() + "}");
        assertThat(A.evaluate(data)).isEqualByComparingTo(a);
    }

    @Property
    void anyKeyCanBeReadThroughItsCanonicalQuotedPath(@ForAll @StringLength(min = 1, max = 20) String key,
            @ForAll("decimals") BigDecimal value) {
        String quoted = "`" + key.replace("`", "``") + "`";
        ObjectNode data = JsonNodeFactory.instance.objectNode().put(key, value);
        Expression e = Expression.parse(quoted);
        assertThat(e.evaluate(data)).isEqualByComparingTo(value);
        assertThat(Expression.parse(e.fieldPaths().iterator().next()).evaluate(data)).isEqualByComparingTo(value);
    }
}

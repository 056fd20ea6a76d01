package dev.tally.core.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tally.core.event.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Decimals from input are exact and bounded in scale and exponent, whatever the text or JSON number says. */
class DecimalInputTest {

    @Test
    void refusesExponentBeyondTheDecimalRange() {
        for (String text : new String[] {"1e2147483647", "-1e-2147483647", "1E+999999999", "1e-31", "1e30",
                "9e2147483647", "0.1e-2147483647", "1e2147483648", "1e-2147483648"}) {
            assertThatThrownBy(() -> DecimalInput.parse(text, DecimalInput.AMOUNTS)).as(text)
                    .isInstanceOf(InvalidInputException.class);
            JsonNode number = asJsonNumber(text);
            if (number != null) {
                assertThatThrownBy(() -> DecimalInput.of(number, DecimalInput.AMOUNTS)).as(text)
                        .isInstanceOf(InvalidInputException.class).hasMessageContaining("too many digits");
            }
        }
    }

    /** The JSON number Jackson reads, or null for one it cannot read at all (the body reader refuses those). */
    static JsonNode asJsonNumber(String text) {
        try {
            return Json.newMapper().readTree(text);
        } catch (Exception e) {
            return null;
        }
    }

    @Test
    void acceptsEveryValueInsideTheRangeExactly() {
        assertThat(DecimalInput.parse("1" + "0".repeat(29), DecimalInput.AMOUNTS)).isEqualByComparingTo("1e29");
        assertThat(DecimalInput.parse("1e29", DecimalInput.AMOUNTS).toPlainString()).isEqualTo("1" + "0".repeat(29));
        assertThat(DecimalInput.parse("0." + "0".repeat(29) + "1", DecimalInput.AMOUNTS).scale()).isEqualTo(30);
        assertThat(DecimalInput.parse("12.50", DecimalInput.AMOUNTS).toString()).isEqualTo("12.50");
        // trailing zeros beyond the range are dropped rather than refused; the value is unchanged
        assertThat(DecimalInput.parse("2." + "0".repeat(40), DecimalInput.AMOUNTS)).isEqualByComparingTo("2");
        assertThat(DecimalInput.parse("0e2147483647", DecimalInput.AMOUNTS)).isEqualByComparingTo("0");
        assertThatThrownBy(() -> DecimalInput.parse("1" + "0".repeat(30), DecimalInput.AMOUNTS))
                .hasMessage("has too many digits (at most 30 before and 30 after the decimal point)");
    }

    @Test
    void refusesBinaryFloatsAndNonNumbers() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        assertThatThrownBy(() -> DecimalInput.of(f.numberNode(1.5d), DecimalInput.AMOUNTS))
                .hasMessageContaining("JSON float");
        assertThatThrownBy(() -> DecimalInput.of(f.booleanNode(true), DecimalInput.AMOUNTS))
                .hasMessageContaining("decimal string");
        assertThatThrownBy(() -> DecimalInput.parse("12,5", DecimalInput.AMOUNTS)).hasMessageContaining("12,5");
        assertThatThrownBy(() -> DecimalInput.parse("9".repeat(200), DecimalInput.AMOUNTS)).hasMessageContaining("too long");
        assertThat(DecimalInput.of(f.numberNode(new BigInteger("123")), DecimalInput.AMOUNTS)).isEqualByComparingTo("123");
    }

    @Provide
    Arbitrary<BigDecimal> anyDecimal() {
        Arbitrary<BigInteger> unscaled = Arbitraries.bigIntegers().between(BigInteger.TEN.pow(60).negate(),
                BigInteger.TEN.pow(60));
        Arbitrary<Integer> scale = Arbitraries.oneOf(Arbitraries.integers().between(-80, 80),
                Arbitraries.of(Integer.MAX_VALUE, Integer.MIN_VALUE + 1, -Integer.MAX_VALUE, 1_000_000_000));
        return net.jqwik.api.Combinators.combine(unscaled, scale).as(BigDecimal::new);
    }

    @Property(tries = 300)
    void anAcceptedValueIsWithinTheRangeAndCheapToPrint(@ForAll("anyDecimal") BigDecimal d) {
        BigDecimal v;
        try {
            v = DecimalInput.bounded(d, DecimalInput.AMOUNTS);
        } catch (InvalidInputException e) {
            return;
        }
        assertThat(v).isEqualByComparingTo(d);
        assertThat(v.scale()).isLessThanOrEqualTo(30);
        assertThat((long) v.precision() - v.scale()).isLessThanOrEqualTo(30);
        assertThat(v.toPlainString().length()).isLessThanOrEqualTo(62);
    }
}

package dev.tally.core.money;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Currency;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class DisplayPrecisionTest {
    static final Currency USD = Currency.getInstance("USD");
    static final Currency JPY = Currency.getInstance("JPY");
    static final Currency BHD = Currency.getInstance("BHD");

    @Example
    void aThirdOfAThousandTokensShowsFourDecimals() {
        BigDecimal q = new BigDecimal("1000").divide(new BigDecimal("3"), MathContext.DECIMAL128);
        assertThat(DisplayPrecision.quantity(q).toPlainString()).isEqualTo("333.3333");
        assertThat(DisplayPrecision.quantity(new BigDecimal("1000.000")).toPlainString()).isEqualTo("1000");
        assertThat(DisplayPrecision.quantity(new BigDecimal("1E+3")).toPlainString()).isEqualTo("1000");
        assertThat(DisplayPrecision.quantity(new BigDecimal("0.25")).toPlainString()).isEqualTo("0.25");
        assertThat(DisplayPrecision.quantity(new BigDecimal("2.00005")).toPlainString()).isEqualTo("2.0001");
    }

    @Example
    void aProratedFeeShowsTheMinorUnitPlusFourDecimalsAtMost() {
        BigDecimal fee = new BigDecimal("49").multiply(new BigDecimal("30"))
                .divide(new BigDecimal("31"), MathContext.DECIMAL128);
        assertThat(fee.toPlainString()).startsWith("47.4193548387");
        assertThat(DisplayPrecision.unitPrice(fee, USD).toPlainString()).isEqualTo("47.419355");
        assertThat(DisplayPrecision.unitPrice(new BigDecimal("0.0015"), USD).toPlainString()).isEqualTo("0.0015");
        assertThat(DisplayPrecision.unitPrice(new BigDecimal("49"), USD).toPlainString()).isEqualTo("49.00");
        assertThat(DisplayPrecision.unitPrice(new BigDecimal("0.10000"), USD).toPlainString()).isEqualTo("0.10");
        assertThat(DisplayPrecision.unitPrice(new BigDecimal("1.23456"), JPY).toPlainString()).isEqualTo("1.2346");
        assertThat(DisplayPrecision.unitPrice(new BigDecimal("5"), JPY).toPlainString()).isEqualTo("5");
        assertThat(DisplayPrecision.unitPrice(new BigDecimal("-12.25"), USD).toPlainString()).isEqualTo("-12.25");
        assertThat(DisplayPrecision.maxUnitPriceDecimals(BHD)).isEqualTo(7);
    }

    @Example
    void amountsAreAlwaysAtTheMinorUnit() {
        assertThat(DisplayPrecision.amount(new BigDecimal("59.8"), USD).toPlainString()).isEqualTo("59.80");
        assertThat(DisplayPrecision.amount(new BigDecimal("1234"), JPY).toPlainString()).isEqualTo("1234");
        assertThat(DisplayPrecision.amount(new BigDecimal("1.2345"), BHD).toPlainString()).isEqualTo("1.235");
    }

    @Property(tries = 1000)
    void aDisplayedQuantityIsWithinHalfItsLastDecimalAndAtMostFourDecimals(@ForAll("decimals") BigDecimal exact) {
        BigDecimal shown = DisplayPrecision.quantity(exact);

        assertThat(shown.scale()).isBetween(0, DisplayPrecision.QUANTITY_DECIMALS);
        assertThat(shown.subtract(exact).abs()).isLessThanOrEqualTo(new BigDecimal("0.00005"));
        assertThat(shown.toPlainString()).doesNotMatch(".*\\..*0$");
        if (exact.stripTrailingZeros().scale() <= DisplayPrecision.QUANTITY_DECIMALS) {
            assertThat(shown).isEqualByComparingTo(exact);
        }
        assertThat(DisplayPrecision.quantity(shown)).isEqualTo(shown);
    }

    @Property(tries = 1000)
    void aDisplayedUnitPriceKeepsTheMinorUnitAndAtMostFourMoreDecimals(@ForAll("decimals") BigDecimal exact,
            @ForAll("currencies") Currency currency) {
        int minor = RoundingRule.minorUnitDigits(currency);
        int max = DisplayPrecision.maxUnitPriceDecimals(currency);
        BigDecimal shown = DisplayPrecision.unitPrice(exact, currency);

        assertThat(shown.scale()).isBetween(minor, max);
        assertThat(shown.subtract(exact).abs()).isLessThanOrEqualTo(BigDecimal.ONE.movePointLeft(max).divide(BigDecimal.TWO));
        if (shown.scale() > minor) {
            assertThat(shown.unscaledValue().mod(java.math.BigInteger.TEN).signum()).isNotZero();
        }
        if (exact.stripTrailingZeros().scale() <= max) {
            assertThat(shown).isEqualByComparingTo(exact);
        }
        assertThat(DisplayPrecision.unitPrice(shown, currency)).isEqualTo(shown);
    }

    @Property(tries = 500)
    void aDisplayedAmountIsTheRoundedAmount(@ForAll("decimals") BigDecimal exact, @ForAll("currencies") Currency currency) {
        BigDecimal shown = DisplayPrecision.amount(exact, currency);

        assertThat(shown.scale()).isEqualTo(RoundingRule.minorUnitDigits(currency));
        assertThat(shown).isEqualTo(new Money(exact, currency).rounded().amount());
    }

    @Provide
    Arbitrary<BigDecimal> decimals() {
        // exact values of any scale up to 30 (as prorations and divisions give), plus whole numbers
        return Arbitraries.integers().between(0, 30).flatMap(scale -> Arbitraries.bigDecimals()
                .between(new BigDecimal("-1000000"), new BigDecimal("1000000")).ofScale(scale));
    }

    @Provide
    Arbitrary<Currency> currencies() {
        return Arbitraries.of(USD, JPY, BHD, Currency.getInstance("EUR"));
    }
}

package dev.tally.core.money;

import static dev.tally.core.pricing.Fixtures.BHD;
import static dev.tally.core.pricing.Fixtures.EUR;
import static dev.tally.core.pricing.Fixtures.JPY;
import static dev.tally.core.pricing.Fixtures.USD;
import static dev.tally.core.pricing.Fixtures.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;

class MoneyTest {

    @Test
    void roundsHalfUpToTwoDigitsForUsd() {
        assertThat(Money.of("2.345", USD).rounded().plainString()).isEqualTo("2.35");
        assertThat(Money.of("2.344999", USD).rounded().plainString()).isEqualTo("2.34");
        assertThat(Money.of("5", USD).rounded().plainString()).isEqualTo("5.00");
    }

    @Test
    void roundsToWholeYenBecauseJpyHasNoMinorUnitDigits() {
        assertThat(Money.of("4.5", JPY).rounded().plainString()).isEqualTo("5");
        assertThat(Money.of("4.49", JPY).rounded().plainString()).isEqualTo("4");
    }

    @Test
    void roundsToThreeDigitsForBahrainiDinar() {
        assertThat(Money.of("1.2345", BHD).rounded().plainString()).isEqualTo("1.235");
        assertThat(Money.of("0.4995", BHD).rounded().plainString()).isEqualTo("0.500");
    }

    @Test
    void roundsNegativeAmountsHalfAwayFromZero() {
        assertThat(Money.of("-0.005", USD).rounded().plainString()).isEqualTo("-0.01");
        assertThat(Money.of("-0.004", USD).rounded().plainString()).isEqualTo("0.00");
    }

    @Test
    void arithmeticIsExactAndNeverRounds() {
        Money m = Money.of("0.1", USD).plus(Money.of("0.2", USD));
        assertThat(m.plainString()).isEqualTo("0.3");
        assertThat(Money.of("0.0001", USD).times(d("3")).plainString()).isEqualTo("0.0003");
        assertThat(Money.of("1", USD).minus(Money.of("1.005", USD)).isNegative()).isTrue();
    }

    @Test
    void equalAmountsAtDifferentScalesAreEqual() {
        assertThat(Money.of("1.0", USD)).isEqualTo(Money.of("1.00", USD)).hasSameHashCodeAs(Money.of("1", USD));
        assertThat(Money.of("1.00", USD)).isNotEqualTo(Money.of("1.00", EUR));
        assertThat(Money.of("0", USD)).hasSameHashCodeAs(Money.of("0.000", USD));
    }

    @Test
    void zeroHasTheCurrencyScale() {
        assertThat(Money.zero(USD).plainString()).isEqualTo("0.00");
        assertThat(Money.zero(JPY).plainString()).isEqualTo("0");
        assertThat(Money.zero(BHD).toString()).isEqualTo("0.000 BHD");
    }

    @Test
    void refusesToMixCurrencies() {
        assertThatThrownBy(() -> Money.of("1", USD).plus(Money.of("1", EUR)))
                .isInstanceOf(CurrencyMismatchException.class)
                .hasMessageContaining("USD").hasMessageContaining("EUR");
        assertThatThrownBy(() -> Money.sum(USD, List.of(Money.of("1", EUR))))
                .isInstanceOf(CurrencyMismatchException.class);
    }

    @Test
    void refusesCurrenciesWithoutAMinorUnit() {
        assertThatThrownBy(() -> Money.of("1", Currency.getInstance("XXX")))
                .isInstanceOf(InvalidMoneyException.class).hasMessageContaining("XXX");
    }

    @Test
    void refusesTextThatIsNotADecimal() {
        assertThatThrownBy(() -> Money.of("1,50", USD)).isInstanceOf(InvalidMoneyException.class);
    }

    @Test
    void printsPlainDecimalsNeverScientificNotation() {
        assertThat(new Money(d("1E+3"), USD).plainString()).isEqualTo("1000");
        assertThat(new Money(d("1E+3"), USD).toString()).isEqualTo("1000 USD");
    }
}

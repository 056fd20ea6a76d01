package dev.tally.core.money;

import static dev.tally.core.pricing.Fixtures.JPY;
import static dev.tally.core.pricing.Fixtures.USD;
import static dev.tally.core.pricing.Fixtures.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class InvoiceTotalsTest {

    private static Money usd(String amount) {
        return Money.of(amount, USD);
    }

    @Test
    void subtotalIsTheSumOfRoundedLinesAndEachRateIsTaxedOnTheSubtotal() {
        InvoiceTotals t = InvoiceTotals.of(USD, List.of(usd("40.00"), usd("60.00")),
                List.of(new TaxRate("NY state", d("4")), new TaxRate("NYC", d("4.875"))));

        assertThat(t.subtotal().plainString()).isEqualTo("100.00");
        assertThat(t.taxes()).extracting(l -> l.amount().plainString()).containsExactly("4.00", "4.88");
        assertThat(t.taxTotal().plainString()).isEqualTo("8.88");
        assertThat(t.total().plainString()).isEqualTo("108.88");
    }

    @Test
    void roundsEachRateOnceSoTwoRatesCanDifferFromTheirSumByACent() {
        // 10.10 × 2.5% = 0.2525 -> 0.25 per rate; a single 5% rate would give 0.505 -> 0.51.
        InvoiceTotals t = InvoiceTotals.of(USD, List.of(usd("10.10")),
                List.of(new TaxRate("A", d("2.5")), new TaxRate("B", d("2.5"))));

        assertThat(t.taxTotal().plainString()).isEqualTo("0.50");
        assertThat(t.total().plainString()).isEqualTo("10.60");
    }

    @Test
    void taxesYenInWholeYen() {
        InvoiceTotals t = InvoiceTotals.of(JPY, List.of(Money.of("1005", JPY)), List.of(new TaxRate("JCT", d("10"))));

        assertThat(t.taxes().get(0).amount().plainString()).isEqualTo("101");
        assertThat(t.total().plainString()).isEqualTo("1106");
    }

    @Test
    void withoutLinesOrRatesEverythingIsZero() {
        InvoiceTotals t = InvoiceTotals.of(USD, List.of(), List.of());

        assertThat(t.total().plainString()).isEqualTo("0.00");
        assertThat(t.taxes()).isEmpty();
    }

    @Test
    void refusesALineThatWasNotRoundedFirst() {
        assertThatThrownBy(() -> InvoiceTotals.of(USD, List.of(usd("1.005")), List.of()))
                .isInstanceOf(InvalidMoneyException.class)
                .hasMessageContaining("lines[0]").hasMessageContaining("1.005");
    }

    @Test
    void refusesInconsistentTotals() {
        assertThatThrownBy(() -> new InvoiceTotals(USD, List.of(usd("1.00")), usd("2.00"), List.of(), usd("2.00")))
                .isInstanceOf(InvalidMoneyException.class).hasMessageContaining("subtotal");
    }

    @Test
    void refusesNegativeOrUnnamedTaxRates() {
        assertThatThrownBy(() -> new TaxRate("VAT", d("-1"))).isInstanceOf(InvalidMoneyException.class);
        assertThatThrownBy(() -> new TaxRate(" ", d("1"))).isInstanceOf(InvalidMoneyException.class);
    }
}

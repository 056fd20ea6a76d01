package dev.tally.core.money;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.pricing.Fixtures;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class MoneyPropertiesTest {

    @Property(tries = 300)
    void totalIsSubtotalPlusTaxesAndSubtotalIsTheSumOfRoundedLines(@ForAll("currencies") Currency currency,
            @ForAll("amounts") List<BigDecimal> exactLines, @ForAll("rates") List<BigDecimal> percents) {
        List<Money> rounded = exactLines.stream().map(a -> new Money(a, currency).rounded()).toList();
        List<TaxRate> rates = percents.stream().map(p -> new TaxRate("tax " + p, p)).toList();

        InvoiceTotals t = InvoiceTotals.of(currency, rounded, rates);

        BigDecimal lines = rounded.stream().map(Money::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal taxes = t.taxes().stream().map(l -> l.amount().amount()).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(t.subtotal().amount()).isEqualByComparingTo(lines);
        assertThat(t.total().amount()).isEqualByComparingTo(lines.add(taxes));
        assertThat(t.total().isRounded()).isTrue();
        assertThat(t.taxes()).hasSameSizeAs(rates);
    }

    @Property(tries = 500)
    void roundingIsIdempotentAndMovesAnAmountByAtMostHalfAMinorUnit(@ForAll("currencies") Currency currency,
            @ForAll("signedAmounts") BigDecimal amount) {
        Money exact = new Money(amount, currency);
        Money once = exact.rounded();

        assertThat(once.rounded()).isEqualTo(once);
        BigDecimal halfUnit = BigDecimal.ONE.movePointLeft(RoundingRule.minorUnitDigits(currency)).divide(BigDecimal.valueOf(2));
        assertThat(once.amount().subtract(amount).abs()).isLessThanOrEqualTo(halfUnit);
    }

    @Provide
    Arbitrary<Currency> currencies() {
        return Fixtures.currencies();
    }

    @Provide
    Arbitrary<List<BigDecimal>> amounts() {
        return Fixtures.decimals("10000", 5).list().ofMaxSize(10);
    }

    @Provide
    Arbitrary<BigDecimal> signedAmounts() {
        return Fixtures.decimals("10000", 6).flatMap(a -> Arbitraries.of(a, a.negate()));
    }

    @Provide
    Arbitrary<List<BigDecimal>> rates() {
        return Fixtures.decimals("30", 3).list().ofMaxSize(4);
    }
}

package dev.tally.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * Custom credit units, over random rates, amounts and invoices: a grant in units converts to money exactly or is
 * refused (never rounded); converting back gives the same units; what is shown in units is never worth more than the
 * money left and less than one unit step below it; and drawdowns of unit grants, which are in money, never lose a
 * cent: credits applied + amount due = the total, and the units left are the money left ÷ rate.
 */
class CreditUnitPropertiesTest {
    static final Currency USD = Currency.getInstance("USD");
    static final Currency JPY = Currency.getInstance("JPY");
    static final BigDecimal STEP = BigDecimal.ONE.movePointLeft(CreditUnit.UNIT_DECIMALS);

    @Provide
    Arbitrary<CreditUnit> units() {
        Arbitrary<BigDecimal> rates = Arbitraries.longs().between(1, 100_000_000L)
                .flatMap(n -> Arbitraries.integers().between(0, CreditUnit.MAX_RATE_DECIMALS)
                        .map(s -> BigDecimal.valueOf(n, s)));
        return Arbitraries.of(USD, JPY).flatMap(c -> rates.map(r -> new CreditUnit("credits", c, r)));
    }

    @Property(tries = 500)
    void aGrantConvertsExactlyOrIsRefusedAndConvertsBack(@ForAll("units") CreditUnit unit,
            @ForAll @LongRange(min = 1, max = 1_000_000_000L) long n, @ForAll @IntRange(min = 0, max = 6) int scale) {
        BigDecimal units = BigDecimal.valueOf(n, scale);
        BigDecimal exact = units.multiply(unit.rate());
        boolean whole = exact.stripTrailingZeros().scale() <= unit.currency().getDefaultFractionDigits();
        if (!whole) {
            assertThatThrownBy(() -> unit.toMoney(units)).isInstanceOf(InvalidLedgerException.class);
            return;
        }
        Money m = unit.toMoney(units);
        assertThat(m.amount().compareTo(exact)).isZero();
        assertThat(m.isRounded()).isTrue();
        assertThat(unit.unitsOf(m).compareTo(units)).isZero();
    }

    @Property(tries = 500)
    void unitsShownAreNeverWorthMoreThanTheMoneyNorAStepLess(@ForAll("units") CreditUnit unit,
            @ForAll @LongRange(min = 0, max = 10_000_000_000L) long minor) {
        Money money = new Money(BigDecimal.valueOf(minor, unit.currency().getDefaultFractionDigits()), unit.currency());
        BigDecimal shown = unit.unitsOf(money);
        assertThat(shown.multiply(unit.rate()).compareTo(money.amount())).isLessThanOrEqualTo(0);
        assertThat(shown.add(STEP).multiply(unit.rate()).compareTo(money.amount())).isGreaterThan(0);
    }

    @Property(tries = 300)
    void drawdownsOfUnitGrantsNeverLoseACent(@ForAll @LongRange(min = 1, max = 100_000) long credits,
            @ForAll("invoices") List<Long> invoiceCents) {
        // 1 credit = 0.01 USD, as in the docs; grants of whole credits always convert
        CreditUnit unit = new CreditUnit("credits", USD, new BigDecimal("0.01"));
        Money granted = unit.toMoney(BigDecimal.valueOf(credits));
        java.time.Instant t0 = java.time.Instant.parse("2026-11-01T00:00:00Z");
        Grant g = new Grant("g1", granted, 100, t0, java.util.Optional.empty(), java.util.Set.of(), Funding.FREE,
                java.util.Optional.empty(), "credits", "test", t0);
        Wallet w = Wallet.empty(USD).plus(g, new LedgerEntry("e1", 1, "g1", EntryKind.GRANT, granted, t0, "credits",
                "test", java.util.Optional.empty(), java.util.Optional.empty()));
        int i = 0;
        List<String> seen = new ArrayList<>();
        for (long cents : invoiceCents) {
            Money total = new Money(BigDecimal.valueOf(cents, 2), USD);
            CreditApplication app = InvoiceCredits.apply(total, Map.of("x", total), w.usableAt(t0));
            assertThat(app.amountDue().plus(app.creditsApplied())).isEqualTo(total);
            for (CreditApplication.Drawdown d : app.drawdowns()) {
                i++;
                w = w.plus(new LedgerEntry("d" + i, w.nextSequence(), d.grant().id(), EntryKind.DRAWDOWN,
                        d.amount().negate(), t0, "inv", "test", java.util.Optional.of("inv" + i), java.util.Optional.empty()));
            }
            seen.add(total.plainString());
        }
        Money drawn = granted.minus(w.balanceOf("g1"));
        BigDecimal left = unit.unitsOf(w.balanceOf("g1"));
        assertThat(left.add(unit.unitsOf(drawn)).compareTo(BigDecimal.valueOf(credits))).as("%s", seen).isZero();
    }

    @Provide
    Arbitrary<List<Long>> invoices() {
        return Arbitraries.longs().between(1, 5_000_000).list().ofMaxSize(6);
    }

    @Test
    void aRateWhoseUnitIsASubCentSplitsOnlyWholeCentsAndShowsWhatIsLeftRoundedDown() {
        CreditUnit unit = new CreditUnit("credits", USD, new BigDecimal("0.009"));
        assertThat(unit.toMoney(new BigDecimal("1000"))).isEqualTo(Money.of("9.00", USD));
        assertThatThrownBy(() -> unit.toMoney(new BigDecimal("1001"))).isInstanceOf(InvalidLedgerException.class)
                .hasMessageContaining("9.009");
        assertThat(unit.unitsOf(Money.of("0.01", USD))).isEqualByComparingTo("1.111111");
        assertThatThrownBy(() -> new CreditUnit("USD", USD, BigDecimal.ONE)).isInstanceOf(InvalidLedgerException.class);
        assertThatThrownBy(() -> new CreditUnit("credits", USD, BigDecimal.ZERO)).isInstanceOf(InvalidLedgerException.class);
    }
}

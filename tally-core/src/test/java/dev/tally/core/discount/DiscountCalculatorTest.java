package dev.tally.core.discount;

import static dev.tally.core.discount.DiscountPropertiesTest.NOV;
import static dev.tally.core.discount.DiscountPropertiesTest.USD;
import static dev.tally.core.discount.DiscountPropertiesTest.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LineSource;
import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Hand-computed discounts: the split rule, the invoice floor, stacking order and the coupon rules. */
class DiscountCalculatorTest {
    static List<String> amounts(List<InvoiceLine> lines) {
        return lines.stream().map(l -> l.chargeKey() + " " + l.amount().plainString()).toList();
    }

    static Discount fixed(String amount, String... charges) {
        return Discount.amount(LineSource.redemption("r" + amount, "k"), "Fixed", Money.of(amount, USD), Set.of(charges));
    }

    @Test
    void aFixedAmountSplitsProRataWithTheRemainderToTheLargestRemainders() {
        // 10.00 over 33.33 / 33.33 / 33.34 (sum 100.00): exact shares 3.333, 3.333, 3.334 -> 3.33, 3.33, 3.33 and
        // the 0.01 left to the largest remainder (c: 0.334 -> 0.4 vs 0.3): 3.33, 3.33, 3.34
        List<InvoiceLine> lines = List.of(line("a", 3333, USD), line("b", 3333, USD), line("c", 3334, USD));
        assertThat(amounts(DiscountCalculator.apply(lines, List.of(fixed("10.00")), USD, NOV).lines()))
                .containsExactly("a -3.33", "b -3.33", "c -3.34");
        // 0.02 over three equal charges: one unit each to the first two (ties: larger weight, then order)
        List<InvoiceLine> equal = List.of(line("a", 100, USD), line("b", 100, USD), line("c", 100, USD));
        assertThat(amounts(DiscountCalculator.apply(equal, List.of(fixed("0.02")), USD, NOV).lines()))
                .containsExactly("a -0.01", "b -0.01");
    }

    @Test
    void aDiscountStopsAtZeroForTheChargeAndForTheInvoice() {
        // a 10.00 charge and a -8.00 credit of another charge: the invoice is 2.00, so 100 % of a takes only 2.00
        List<InvoiceLine> lines = List.of(line("a", 1000, USD), line("b", -800, USD));
        Discount all = Discount.percent(LineSource.redemption("r", "k"), "All", BigDecimal.valueOf(100), Set.of());
        assertThat(amounts(DiscountCalculator.apply(lines, List.of(all), USD, NOV).lines())).containsExactly("a -2.00");
        // 50.00 off a 12.00 charge: 12.00
        assertThat(amounts(DiscountCalculator.apply(List.of(line("a", 1200, USD)), List.of(fixed("50.00")), USD, NOV)
                .lines())).containsExactly("a -12.00");
    }

    @Test
    void discountsStackInOrderEachOnWhatTheEarlierLeft() {
        // 100.00: 10 % -> 10.00, then 5.00 fixed -> 5.00, then 50 % of 85.00 -> 42.50
        Discount ten = Discount.percent(LineSource.redemption("r1", "ten"), "Ten", BigDecimal.TEN, Set.of());
        Discount half = Discount.percent(LineSource.redemption("r3", "half"), "Half", BigDecimal.valueOf(50), Set.of());
        DiscountCalculator.Result r = DiscountCalculator.apply(List.of(line("a", 10000, USD)),
                List.of(ten, fixed("5.00"), half), USD, NOV);
        assertThat(amounts(r.lines())).containsExactly("a -10.00", "a -5.00", "a -42.50");
        assertThat(r.lines()).extracting(l -> l.source().orElseThrow().id()).containsExactly("r1", "r5.00", "r3");
    }

    @Test
    void aChargeListLimitsTheDiscount() {
        List<InvoiceLine> lines = List.of(line("a", 1000, USD), line("b", 1000, USD));
        assertThat(amounts(DiscountCalculator.apply(lines, List.of(fixed("15.00", "b")), USD, NOV).lines()))
                .containsExactly("b -10.00");
    }

    @Test
    void couponsRefuseWhatTheyCannotBe() {
        Instant now = Instant.parse("2026-11-01T00:00:00Z");
        assertThatThrownBy(() -> new Coupon("x", "X", Optional.of(BigDecimal.TEN), Optional.of(Money.of("1.00", USD)),
                CouponDuration.ONCE, Optional.empty(), Set.of(), now, Optional.empty()))
                .isInstanceOf(InvalidDiscountException.class);
        assertThatThrownBy(() -> new Coupon("x", "X", Optional.of(new BigDecimal("100.01")), Optional.empty(),
                CouponDuration.ONCE, Optional.empty(), Set.of(), now, Optional.empty()))
                .isInstanceOf(InvalidDiscountException.class);
        assertThatThrownBy(() -> new Coupon("x", "X", Optional.empty(), Optional.of(Money.of("1.001", USD)),
                CouponDuration.ONCE, Optional.empty(), Set.of(), now, Optional.empty()))
                .isInstanceOf(InvalidDiscountException.class);
        assertThatThrownBy(() -> new Coupon("x", "X", Optional.of(BigDecimal.TEN), Optional.empty(),
                CouponDuration.REPEATING, Optional.empty(), Set.of(), now, Optional.empty()))
                .isInstanceOf(InvalidDiscountException.class);
        Coupon three = new Coupon("x", "X", Optional.of(BigDecimal.TEN), Optional.empty(), CouponDuration.REPEATING,
                Optional.of(3), Set.of(), now, Optional.empty());
        assertThat(three.periodsCovered()).isEqualTo(3);
        assertThat(three.label()).isEqualTo("X (10 % off)");
    }
}

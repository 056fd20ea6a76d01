package dev.tally.core.discount;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LineKind;
import dev.tally.core.billing.LineSource;
import dev.tally.core.billing.Period;
import dev.tally.core.money.Money;
import dev.tally.core.money.RoundingRule;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Discounts never take a charge or an invoice below zero, fixed amounts split exactly to the minor unit, and a
 * percentage is its own HALF_UP rounding per charge, over random invoices (positive and negative lines) and random
 * stacks of discounts.
 */
class DiscountPropertiesTest {
    static final Currency USD = Currency.getInstance("USD");
    static final Currency JPY = Currency.getInstance("JPY");
    static final Period NOV = new Period(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"));
    static final List<String> CHARGES = List.of("a", "b", "c", "d");

    static InvoiceLine line(String charge, long cents, Currency currency) {
        int digits = RoundingRule.minorUnitDigits(currency);
        BigDecimal amount = BigDecimal.valueOf(cents, digits);
        LineKind kind = cents >= 0 ? LineKind.USAGE : LineKind.PRORATION_CREDIT;
        return new InvoiceLine(charge + ":" + cents, kind, charge, "line", BigDecimal.ONE, amount,
                new Money(amount, currency), NOV, Optional.empty(), Optional.empty(), "p", 1, Optional.empty(), 0,
                Optional.empty());
    }

    @Provide
    Arbitrary<List<InvoiceLine>> invoices() {
        Arbitrary<InvoiceLine> l = Combinators.combine(Arbitraries.of(CHARGES),
                Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, Arbitraries.longs().between(0, 500_000)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(-200_000, -1))))
                .as((c, cents) -> line(c, cents, USD));
        return l.list().ofMinSize(1).ofMaxSize(10);
    }

    @Provide
    Arbitrary<List<Discount>> discounts() {
        Arbitrary<Set<String>> applies = Arbitraries.of(CHARGES).set().ofMaxSize(3);
        Arbitrary<Discount> percent = Combinators.combine(Arbitraries.bigDecimals().between(new BigDecimal("0.01"),
                        BigDecimal.valueOf(100)).ofScale(2), applies)
                .as((p, a) -> Discount.percent(LineSource.redemption("r" + p, "k"), "pct", p, a));
        Arbitrary<Discount> fixed = Combinators.combine(Arbitraries.longs().between(1, 1_000_000), applies)
                .as((c, a) -> Discount.amount(LineSource.redemption("f" + c, "k"), "fixed",
                        new Money(BigDecimal.valueOf(c, 2), USD), a));
        return Arbitraries.oneOf(percent, fixed).list().ofMaxSize(4);
    }

    static Map<String, BigDecimal> byCharge(List<InvoiceLine> lines) {
        Map<String, BigDecimal> m = new HashMap<>();
        lines.forEach(l -> m.merge(l.chargeKey(), l.amount().amount(), BigDecimal::add));
        return m;
    }

    static BigDecimal sum(List<InvoiceLine> lines) {
        return lines.stream().map(l -> l.amount().amount()).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    @Property(tries = 1000)
    void aDiscountNeverTakesAChargeOrTheInvoiceBelowZero(@ForAll("invoices") List<InvoiceLine> lines,
            @ForAll("discounts") List<Discount> discounts) {
        List<InvoiceLine> out = DiscountCalculator.apply(lines, discounts, USD, NOV).lines();
        Map<String, BigDecimal> before = byCharge(lines);
        List<InvoiceLine> all = new ArrayList<>(lines);
        all.addAll(out);
        Map<String, BigDecimal> after = byCharge(all);
        for (String k : before.keySet()) {
            if (before.get(k).signum() >= 0) {
                assertThat(after.get(k)).as(k).isGreaterThanOrEqualTo(BigDecimal.ZERO);
            } else {
                assertThat(after.get(k)).as("a negative charge gets nothing").isEqualByComparingTo(before.get(k));
            }
        }
        BigDecimal total = sum(lines);
        assertThat(sum(all)).isGreaterThanOrEqualTo(total.min(BigDecimal.ZERO));
        if (total.signum() <= 0) {
            assertThat(out).isEmpty();
        }
        for (InvoiceLine l : out) {
            assertThat(l.kind()).isEqualTo(LineKind.DISCOUNT);
            assertThat(l.amount().amount().signum()).isNegative();
            assertThat(l.amount().isRounded()).isTrue();
            assertThat(l.source()).isPresent();
        }
    }

    @Property(tries = 1000)
    void aFixedAmountTakesExactlyWhatItCanAndSplitsItExactly(@ForAll("invoices") List<InvoiceLine> lines,
            @ForAll("discounts") List<Discount> discounts) {
        // applied one at a time, each fixed discount takes min(amount, eligible bases, invoice left)
        List<InvoiceLine> so = new ArrayList<>(lines);
        for (Discount d : discounts) {
            Map<String, BigDecimal> base = byCharge(so);
            BigDecimal eligible = base.entrySet().stream().filter(e -> d.appliesTo(e.getKey()) && e.getValue().signum() > 0)
                    .map(Map.Entry::getValue).reduce(BigDecimal.ZERO, BigDecimal::add);
            BigDecimal invoiceLeft = sum(so).max(BigDecimal.ZERO);
            DiscountCalculator.Result r = DiscountCalculator.apply(so, List.of(d), USD, NOV);
            BigDecimal taken = sum(r.lines()).negate();
            assertThat(r.taken().get(d.source().id()).amount()).isEqualByComparingTo(taken);
            if (d.amount().isPresent()) {
                assertThat(taken).isEqualByComparingTo(d.amount().get().amount().min(eligible).min(invoiceLeft));
            }
            so.addAll(r.lines());
        }
        // and a stack applied in one call is the same as one at a time
        List<InvoiceLine> once = DiscountCalculator.apply(lines, discounts, USD, NOV).lines();
        assertThat(sum(once)).isEqualByComparingTo(sum(so).subtract(sum(lines)));
    }

    @Property(tries = 1000)
    void aPercentageIsRoundedHalfUpPerCharge(@ForAll("invoices") List<InvoiceLine> lines,
            @ForAll("percents") BigDecimal percent) {
        Discount d = Discount.percent(LineSource.redemption("r", "k"), "pct", percent, Set.of());
        List<InvoiceLine> out = DiscountCalculator.apply(lines, List.of(d), USD, NOV).lines();
        Map<String, BigDecimal> base = byCharge(lines);
        BigDecimal wanted = BigDecimal.ZERO;
        for (InvoiceLine l : out) {
            BigDecimal expected = base.get(l.chargeKey()).multiply(percent).movePointLeft(2)
                    .setScale(2, java.math.RoundingMode.HALF_UP);
            wanted = wanted.add(expected);
            if (sum(lines).compareTo(base.values().stream().filter(b -> b.signum() > 0)
                    .reduce(BigDecimal.ZERO, BigDecimal::add)) >= 0) {
                assertThat(l.amount().amount().negate()).isEqualByComparingTo(expected);
            }
        }
        assertThat(sum(out).negate()).isLessThanOrEqualTo(sum(lines).max(BigDecimal.ZERO));
    }

    @Property(tries = 1000)
    void aCreditNoteOfEveryLineGivesBackTheDiscountedAmount(@ForAll("invoices") List<InvoiceLine> lines,
            @ForAll("discounts") List<Discount> discounts) {
        List<InvoiceLine> all = new ArrayList<>();
        for (InvoiceLine l : lines) {
            all.add(l.withId("L" + (all.size() + 1)));
        }
        for (InvoiceLine l : DiscountCalculator.apply(all, discounts, USD, NOV).lines()) {
            all.add(l.withId("L" + (all.size() + 1)));
        }
        Map<String, BigDecimal> creditable = DiscountCalculator.creditable(all);
        BigDecimal back = BigDecimal.ZERO;
        BigDecimal positive = BigDecimal.ZERO;
        BigDecimal discounted = BigDecimal.ZERO;
        for (InvoiceLine l : all) {
            if (l.kind() == LineKind.DISCOUNT) {
                discounted = discounted.add(l.amount().amount().negate());
            } else if (l.amount().amount().signum() > 0) {
                positive = positive.add(l.amount().amount());
                BigDecimal c = creditable.get(l.lineId());
                assertThat(c).isBetween(BigDecimal.ZERO, l.amount().amount());
                back = back.add(c);
            }
        }
        assertThat(back).isEqualByComparingTo(positive.subtract(discounted));
    }

    @Provide
    Arbitrary<BigDecimal> percents() {
        return Arbitraries.bigDecimals().between(new BigDecimal("0.001"), BigDecimal.valueOf(100)).ofScale(3);
    }

    @Provide
    Arbitrary<List<Long>> weights() {
        return Arbitraries.longs().between(0, 1_000_000).list().ofMinSize(1).ofMaxSize(8)
                .filter(w -> w.stream().mapToLong(Long::longValue).sum() > 0);
    }

    @Property(tries = 2000)
    void theLargestRemainderSplitSumsExactlyAndStaysWithinOneMinorUnit(@ForAll("weights") List<Long> weights,
            @ForAll("fractions") long perMille, @ForAll boolean yen) {
        int digits = yen ? 0 : 2;
        long sumW = weights.stream().mapToLong(Long::longValue).sum();
        long totalUnits = sumW * perMille / 1000;
        BigDecimal total = BigDecimal.valueOf(totalUnits, digits);
        List<BigDecimal> w = weights.stream().map(x -> BigDecimal.valueOf(x, digits)).toList();
        List<BigDecimal> shares = Allocation.split(total, w, digits);
        assertThat(shares.stream().reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualByComparingTo(total);
        for (int i = 0; i < shares.size(); i++) {
            BigDecimal exact = total.multiply(w.get(i)).divide(BigDecimal.valueOf(sumW, digits), 10,
                    java.math.RoundingMode.HALF_EVEN);
            assertThat(shares.get(i).subtract(exact).abs()).isLessThan(BigDecimal.ONE.movePointLeft(digits));
            assertThat(shares.get(i)).isLessThanOrEqualTo(w.get(i));
            assertThat(shares.get(i).signum()).isNotNegative();
        }
    }

    @Provide
    Arbitrary<Long> fractions() {
        return Arbitraries.longs().between(0, 1000);
    }

    @Property(tries = 300)
    void yenDiscountsHaveNoMinorUnits(@ForAll("weights") List<Long> amounts) {
        List<InvoiceLine> lines = new ArrayList<>();
        for (int i = 0; i < amounts.size(); i++) {
            lines.add(line(CHARGES.get(i % CHARGES.size()), amounts.get(i), JPY));
        }
        Discount d = Discount.amount(LineSource.redemption("r", "k"), "fixed", new Money(BigDecimal.valueOf(1001), JPY), Set.of());
        for (InvoiceLine l : DiscountCalculator.apply(lines, List.of(d), JPY, NOV).lines()) {
            assertThat(l.amount().amount().scale()).isLessThanOrEqualTo(0);
        }
    }
}

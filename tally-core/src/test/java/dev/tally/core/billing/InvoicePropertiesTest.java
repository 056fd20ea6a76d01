package dev.tally.core.billing;

import static dev.tally.core.billing.BillingFixtures.LA;
import static dev.tally.core.billing.BillingFixtures.NOVEMBER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.money.InvoiceTotals;
import dev.tally.core.money.Money;
import dev.tally.core.money.TaxLine;
import dev.tally.core.money.TaxRate;
import dev.tally.core.pricing.Fixtures;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Invariants of invoice arithmetic for random plans, usage and plan-change splits of November in Los Angeles. */
class InvoicePropertiesTest {

    /** One billing period of a random plan, billed whole or split in two at a local midnight. */
    record Case(Plan plan, List<ChargeUsage> before, List<ChargeUsage> after, int splitDay, boolean split) {
        List<Segment> segments() {
            if (!split) {
                return List.of(new Segment(plan, NOVEMBER, NOVEMBER, before));
            }
            Instant cut = BillingCalendar.midnight(LocalDate.of(2026, 11, 1 + splitDay), LA);
            return List.of(new Segment(plan, new Period(NOVEMBER.start(), cut), NOVEMBER, before),
                    new Segment(plan, new Period(cut, NOVEMBER.end()), NOVEMBER, after));
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        return BillingFixtures.plans().flatMap(plan -> Combinators.combine(usage(plan), usage(plan),
                Arbitraries.integers().between(1, 29), Arbitraries.of(true, false))
                .as((before, after, day, split) -> new Case(plan, before, after, day, split)));
    }

    private static Arbitrary<List<ChargeUsage>> usage(Plan plan) {
        List<Arbitrary<ChargeUsage>> each = plan.usageCharges().stream().map(BillingFixtures::usageFor).toList();
        return Combinators.combine(each).as(list -> list);
    }

    @Property(tries = 500)
    void theTotalIsTheSumOfTheRoundedLinesPlusTheRoundedTaxesAndNeverNegative(@ForAll("cases") Case c) {
        List<InvoiceLine> lines = InvoiceCalculator.lines(c.segments(), c.plan().currency(), LA);
        InvoiceTotals totals = InvoiceCalculator.totals(lines, c.plan().taxRates(), c.plan().currency());

        Money sum = Money.zero(c.plan().currency());
        for (InvoiceLine line : lines) {
            assertThat(line.amount().isRounded()).isTrue();
            assertThat(line.amount()).isEqualTo(new Money(line.quantity().multiply(line.unitPrice()), c.plan().currency()).rounded());
            if (line.kind() != LineKind.MAXIMUM_CAP) {
                assertThat(line.amount().isNegative()).as(line.description()).isFalse();
            }
            sum = sum.plus(line.amount());
        }
        Money taxes = Money.zero(c.plan().currency());
        for (TaxLine tax : totals.taxes()) {
            assertThat(tax.amount()).isEqualTo(sum.times(tax.rate().percent().movePointLeft(2)).rounded());
            taxes = taxes.plus(tax.amount());
        }
        assertThat(totals.subtotal()).isEqualTo(sum);
        assertThat(totals.total()).isEqualTo(sum.plus(taxes));
        assertThat(totals.subtotal().isNegative()).isFalse();
        assertThat(totals.total().isNegative()).isFalse();
    }

    @Property(tries = 500)
    void eachChargeOfEachSegmentTotalsAtLeastZero(@ForAll("cases") Case c) {
        List<InvoiceLine> lines = InvoiceCalculator.lines(c.segments(), c.plan().currency(), LA);

        for (int s = 0; s < c.segments().size(); s++) {
            for (Charge charge : c.plan().charges()) {
                String prefix = charge.key() + ":" + s + ":";
                Money total = Money.sum(c.plan().currency(),
                        lines.stream().filter(l -> l.lineId().startsWith(prefix)).map(InvoiceLine::amount).toList());
                assertThat(total.isNegative()).isFalse();
            }
        }
    }

    @Property(tries = 500)
    void lineIdsAreUniqueAndNameTheirChargeAndSegment(@ForAll("cases") Case c) {
        List<InvoiceLine> lines = InvoiceCalculator.lines(c.segments(), c.plan().currency(), LA);

        assertThat(lines).extracting(InvoiceLine::lineId).doesNotHaveDuplicates();
        assertThat(lines).allSatisfy(l -> assertThat(l.lineId()).startsWith(l.chargeKey() + ":"));
    }

    @Property(tries = 1000)
    void splittingAFlatFeeAtAnyDayChangesItsRoundedTotalByAtMostOneMinorUnit(
            @ForAll("fees") BigDecimal fee, @ForAll("currencies") java.util.Currency currency,
            @ForAll @IntRange(min = 1, max = 29) int day) {
        Plan plan = BillingFixtures.plan("p", currency, BillingFixtures.flat("base", fee.toPlainString(), FeeTiming.IN_ARREARS));
        Instant cut = BillingCalendar.midnight(LocalDate.of(2026, 11, 1 + day), LA);

        List<InvoiceLine> parts = InvoiceCalculator.lines(List.of(
                new Segment(plan, new Period(NOVEMBER.start(), cut), NOVEMBER, List.of()),
                new Segment(plan, new Period(cut, NOVEMBER.end()), NOVEMBER, List.of())), currency, LA);
        Money split = InvoiceCalculator.totals(parts, List.<TaxRate>of(), currency).subtotal();
        Money whole = new Money(fee, currency).rounded();

        BigDecimal minorUnit = BigDecimal.ONE.movePointLeft(currency.getDefaultFractionDigits());
        assertThat(split.minus(whole).amount().abs()).isLessThanOrEqualTo(minorUnit);
    }

    @Provide
    Arbitrary<BigDecimal> fees() {
        return Fixtures.decimals("10000", 4).filter(f -> f.signum() > 0);
    }

    @Provide
    Arbitrary<java.util.Currency> currencies() {
        return Fixtures.currencies();
    }

    @Property(tries = 200)
    void linesDoNotDependOnAnythingButTheirInput(@ForAll("cases") Case c) {
        List<Segment> segments = new ArrayList<>(c.segments());

        assertThat(InvoiceCalculator.lines(segments, c.plan().currency(), LA))
                .isEqualTo(InvoiceCalculator.lines(List.copyOf(segments), c.plan().currency(), LA));
    }
}

package dev.tally.core.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.billing.LineKind;
import dev.tally.core.billing.Period;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The movements add up exactly, for random books of subscriptions with plan changes, cancellations and usage. */
class MrrPropertiesTest {
    static final Currency USD = Currency.getInstance("USD");
    static final Currency EUR = Currency.getInstance("EUR");
    static final YearMonth FIRST = YearMonth.of(2026, 1);

    record Book(List<SubscriptionFact> subs, List<InvoiceFact> invoices) {
    }

    static Instant monthStart(YearMonth m) {
        return m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** A random book: subscriptions over 12 months, some ending, some changing plans, usage on monthly periods. */
    static Book book(long seed, int size) {
        Random r = new Random(seed);
        List<SubscriptionFact> subs = new ArrayList<>();
        List<InvoiceFact> invoices = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String customer = "c" + r.nextInt(Math.max(1, size / 2));
            Currency cur = r.nextBoolean() ? USD : EUR;
            Instant start = monthStart(FIRST.plusMonths(r.nextInt(10))).plusSeconds(r.nextInt(20 * 86400));
            Optional<Instant> end = r.nextInt(3) == 0 ? Optional.of(start.plusSeconds(86400L * (1 + r.nextInt(200))))
                    : Optional.empty();
            List<PlanSpan> spans = new ArrayList<>();
            Instant t = start;
            int ppy = new int[] {12, 4, 1}[r.nextInt(3)];
            for (int k = 0; k <= r.nextInt(3); k++) {
                spans.add(new PlanSpan("p" + r.nextInt(4), t, BigDecimal.valueOf(r.nextInt(50000), 2), ppy));
                t = t.plusSeconds(86400L * (10 + r.nextInt(80)));
            }
            String id = "s" + i;
            subs.add(new SubscriptionFact(id, customer, cur, start, end, spans));
            List<LineFact> lines = new ArrayList<>();
            for (YearMonth m = YearMonth.from(start.atOffset(ZoneOffset.UTC)); m.isBefore(FIRST.plusMonths(12));
                    m = m.plusMonths(1)) {
                if (r.nextBoolean()) {
                    lines.add(new LineFact(Optional.of(id), "p0", "calls", Optional.of("calls"), LineKind.USAGE,
                            new Period(monthStart(m), monthStart(m.plusMonths(1))), BigDecimal.valueOf(r.nextInt(9999), 2)));
                }
            }
            BigDecimal sum = lines.stream().map(LineFact::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
            invoices.add(new InvoiceFact("in" + i, customer, cur, FIRST.plusMonths(r.nextInt(12)), lines, sum,
                    BigDecimal.ZERO, sum, BigDecimal.ZERO, sum, BigDecimal.ZERO, sum));
        }
        return new Book(subs, invoices);
    }

    @Property(tries = 200)
    void mrrIsLastMonthsMrrPlusNewExpansionReactivatedMinusContractionChurnedExactly(@ForAll long seed,
            @ForAll @IntRange(min = 1, max = 30) int size, @ForAll MrrNormaliser.Grouping grouping) {
        Book b = book(seed, size);
        YearMonth from = FIRST.plusMonths(2);
        YearMonth to = FIRST.plusMonths(11);
        List<MrrPoint> points = MrrNormaliser.points(b.subs(), b.invoices(), to, grouping);
        List<MrrMovement> movements = MrrMovements.compute(points, from, to);
        for (MrrMovement mv : movements) {
            BigDecimal direct = points.stream().filter(p -> p.group().equals(mv.group())
                    && p.currency().equals(mv.currency()) && p.month().equals(mv.month()))
                    .map(MrrPoint::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
            BigDecimal before = points.stream().filter(p -> p.group().equals(mv.group())
                    && p.currency().equals(mv.currency()) && p.month().equals(mv.month().minusMonths(1)))
                    .map(MrrPoint::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
            assertThat(mv.mrr()).isEqualByComparingTo(direct);
            assertThat(mv.previousMrr()).isEqualByComparingTo(before);
            assertThat(mv.previousMrr().add(mv.newMrr()).add(mv.expansion()).add(mv.reactivated())
                    .subtract(mv.contraction()).subtract(mv.churned())).isEqualByComparingTo(mv.mrr());
        }
    }

    @Property(tries = 100)
    void convertedMovementsStillAddUpExactly(@ForAll long seed, @ForAll @IntRange(min = 1, max = 30) int size) {
        Book b = book(seed, size);
        ExchangeRates rates = new ExchangeRates(USD, Map.of(EUR, new BigDecimal("1.0837")));
        List<MrrMovement> mv = MrrMovements.compute(MrrNormaliser.points(b.subs(), b.invoices(), FIRST.plusMonths(11),
                MrrNormaliser.Grouping.NONE), FIRST, FIRST.plusMonths(11));
        for (MrrMovement m : mv) {
            BigDecimal p = rates.convert(m.previousMrr(), m.currency());
            BigDecimal sum = p.add(rates.convert(m.newMrr(), m.currency())).add(rates.convert(m.expansion(), m.currency()))
                    .add(rates.convert(m.reactivated(), m.currency())).subtract(rates.convert(m.contraction(), m.currency()))
                    .subtract(rates.convert(m.churned(), m.currency()));
            assertThat(sum).isEqualByComparingTo(rates.convert(m.mrr(), m.currency()));
        }
    }

    @Property(tries = 100)
    void revenueByAnyDimensionSumsToTheInvoicesLines(@ForAll long seed, @ForAll @IntRange(min = 1, max = 30) int size,
            @ForAll RevenueReport.Dimension by) {
        Book b = book(seed, size);
        List<RevenueRow> rows = RevenueReport.rows(b.invoices(), by, FIRST, FIRST.plusMonths(11));
        for (Currency c : List.of(USD, EUR)) {
            BigDecimal lines = b.invoices().stream().filter(i -> i.currency().equals(c))
                    .flatMap(i -> i.lines().stream()).map(LineFact::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
            BigDecimal reported = rows.stream().filter(r -> r.currency().equals(c)).map(RevenueRow::invoiced)
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            assertThat(reported).isEqualByComparingTo(lines);
        }
    }

    @Example
    void aCustomerWhoLeavesAndComesBackIsReactivatedNotNew() {
        MrrPoint jan = new MrrPoint("all", "a", USD, FIRST, new BigDecimal("10.00"));
        MrrPoint mar = new MrrPoint("all", "a", USD, FIRST.plusMonths(2), new BigDecimal("25.00"));
        List<MrrMovement> mv = MrrMovements.compute(List.of(jan, mar), FIRST, FIRST.plusMonths(2));
        assertThat(mv.get(0).newMrr()).isEqualByComparingTo("10.00");
        assertThat(mv.get(1).churned()).isEqualByComparingTo("10.00");
        assertThat(mv.get(1).netRevenueRetention()).contains(new BigDecimal("0.0000"));
        assertThat(mv.get(2).reactivated()).isEqualByComparingTo("25.00");
        assertThat(mv.get(2).newMrr()).isZero();
    }

    @Example
    void usageCountsFromTheLastClosedPeriodAndYearlyFeesAreSpreadOverTwelveMonths() {
        Instant jan = monthStart(FIRST);
        SubscriptionFact s = new SubscriptionFact("s", "a", USD, jan, Optional.empty(),
                List.of(new PlanSpan("annual", jan, new BigDecimal("1200.00"), 1)));
        LineFact usage = new LineFact(Optional.of("s"), "annual", "calls", Optional.of("calls"), LineKind.USAGE,
                new Period(jan, monthStart(FIRST.plusMonths(1))), new BigDecimal("120.00"));
        InvoiceFact inv = new InvoiceFact("i", "a", USD, FIRST.plusMonths(1), List.of(usage), new BigDecimal("120.00"),
                BigDecimal.ZERO, new BigDecimal("120.00"), BigDecimal.ZERO, new BigDecimal("120.00"), BigDecimal.ZERO,
                new BigDecimal("120.00"));
        List<MrrPoint> p = MrrNormaliser.points(List.of(s), List.of(inv), FIRST.plusMonths(1),
                MrrNormaliser.Grouping.NONE);
        // (1200 + 120) / 12 = 110 in January and February: January's period is the last closed one for both
        assertThat(p).extracting(MrrPoint::amount).containsExactly(new BigDecimal("110.00"), new BigDecimal("110.00"));
    }
}

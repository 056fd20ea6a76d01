package dev.tally.core.billing.seat;

import static dev.tally.core.billing.seat.SeatFixtures.exact;
import static dev.tally.core.billing.seat.SeatFixtures.priced;
import static dev.tally.core.billing.seat.SeatFixtures.rounded;
import static dev.tally.core.billing.seat.SeatFixtures.seats;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.billing.BillingFixtures;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LicensedCharge.Decrease;
import dev.tally.core.billing.LicensedCharge.Increase;
import dev.tally.core.billing.Period;
import dev.tally.core.money.RoundingRule;
import dev.tally.core.pricing.Fixtures;
import dev.tally.core.pricing.PriceModel;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Seat lines neither create nor lose money: with every change billed (increases immediate, decreases credited), a
 * period's base and change lines add up to the day-weighted price of each day's count; and a change reversed on the
 * same day nets to zero. For any quantity price model (unit, package, graduated, volume), zone (with DST days, and
 * zones without a midnight on some days) and schedule of counts.
 */
class SeatBillingPropertiesTest {

    /** One month of 2026 in a zone: the nominal period. */
    record Month(ZoneId zone, Period period) {
    }

    /** A change {@code offset} nanoseconds into the period, to {@code quantity}. */
    record Change(long offset, int quantity) {
    }

    @Provide
    Arbitrary<Month> months() {
        return Combinators.combine(Arbitraries.of(BillingFixtures.ZONES), Arbitraries.integers().between(1, 12))
                .as((zone, m) -> {
                    LocalDate first = LocalDate.of(2026, m, 1);
                    return new Month(zone, new Period(first.atStartOfDay(zone).toInstant(),
                            first.plusMonths(1).atStartOfDay(zone).toInstant()));
                });
    }

    @Provide
    Arbitrary<List<Change>> schedules() {
        return Combinators.combine(Arbitraries.longs().greaterOrEqual(0), Arbitraries.integers().between(0, 60))
                .as(Change::new).list().ofMaxSize(8);
    }

    @Provide
    Arbitrary<PriceModel> models() {
        return Fixtures.quantityModels();
    }

    @Property(tries = 500)
    void periodTotalIsTheDayWeightedSumOfEachDaysPrice(@ForAll("months") Month month,
            @ForAll("schedules") List<Change> schedule, @ForAll("models") PriceModel model,
            @ForAll @IntRange(min = 0, max = 60) int startCount) {
        assertDayWeighted(month, schedule, model, startCount, Increase.IMMEDIATE, Decrease.CREDIT);
    }

    /**
     * Every policy is a day-weighted sum too, of the count it bills: with decreases not credited, the running
     * maximum of the counts; with increases from the next period, the running minimum; with both, the start count.
     */
    @Property(tries = 500)
    void everyPolicyBillsTheDayWeightedSumOfItsBilledCount(@ForAll("months") Month month,
            @ForAll("schedules") List<Change> schedule, @ForAll("models") PriceModel model,
            @ForAll @IntRange(min = 0, max = 60) int startCount, @ForAll Increase increase, @ForAll Decrease decrease) {
        assertDayWeighted(month, schedule, model, startCount, increase, decrease);
    }

    private static void assertDayWeighted(Month month, List<Change> schedule, PriceModel model, int startCount,
            Increase increase, Decrease decrease) {
        PricedCharge p = priced("team", seats(model, increase, decrease));
        Period nominal = month.period();
        ZoneId zone = month.zone();
        long nanos = Duration.between(nominal.start(), nominal.end()).toNanos();
        List<SeatStep> steps = new ArrayList<>();
        for (int i = 0; i < schedule.size(); i++) {
            Change c = schedule.get(i);
            steps.add(new SeatStep.Quantity(nominal.start().plusNanos(1 + Math.floorMod(c.offset(), nanos - 1)),
                    BigDecimal.valueOf(c.quantity()), "qch_" + i));
        }
        List<InvoiceLine> lines = new ArrayList<>(SeatBilling.base(p, BigDecimal.valueOf(startCount), nominal, nominal,
                Fixtures.USD, zone, Optional.empty()));
        lines.addAll(SeatBilling.changes(Optional.of(p), BigDecimal.valueOf(startCount), steps, nominal.end(), nominal,
                Fixtures.USD, zone));

        // an independent model: each local day at the count billed at its end (after the day's last change)
        List<SeatStep> ordered = steps.stream().sorted(Comparator.comparing(SeatStep::at)).toList();
        BigDecimal dayWeighted = BigDecimal.ZERO;
        long days = 0;
        for (LocalDate d = nominal.start().atZone(zone).toLocalDate(); d.atStartOfDay(zone).toInstant().isBefore(nominal.end());
                d = d.plusDays(1)) {
            Instant endOfDay = d.plusDays(1).atStartOfDay(zone).toInstant();
            BigDecimal billed = BigDecimal.valueOf(startCount);
            for (SeatStep s : ordered) {
                if (!s.at().isBefore(endOfDay)) {
                    break;
                }
                BigDecimal q = ((SeatStep.Quantity) s).quantity();
                if (q.compareTo(billed) > 0 && increase == Increase.IMMEDIATE
                        || q.compareTo(billed) < 0 && decrease == Decrease.CREDIT) {
                    billed = q;
                }
            }
            dayWeighted = dayWeighted.add(SeatBilling.price(p.charge(), billed, Fixtures.USD));
            days++;
        }
        BigDecimal expected = dayWeighted.divide(BigDecimal.valueOf(days), 40, RoundingMode.HALF_EVEN);

        long changeLines = lines.stream().filter(l -> l.kind() == dev.tally.core.billing.LineKind.LICENSED_CHANGE).count();
        assertThat(changeLines).as("one line per change").isEqualTo(steps.size());
        assertThat(exact(lines).subtract(expected).abs()).as("exact total against the day-weighted sum")
                .isLessThanOrEqualTo(new BigDecimal("1e-18"));
        BigDecimal minor = new BigDecimal("0.01");
        assertThat(rounded(lines).subtract(RoundingRule.round(expected, Fixtures.USD)).abs())
                .as("rounded: at most a cent per line").isLessThanOrEqualTo(minor.multiply(BigDecimal.valueOf(lines.size())));
    }

    @Property(tries = 500)
    void anIncreaseThenADecreaseTheSameDayNetsToZeroWhenDecreasesAreCredited(@ForAll("months") Month month,
            @ForAll("models") PriceModel model, @ForAll @IntRange(min = 0, max = 60) int count,
            @ForAll @IntRange(min = 1, max = 60) int added, @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed,
            @ForAll boolean increaseAtPeriodEnd) {
        PricedCharge p = priced("team", seats(model, increaseAtPeriodEnd ? Increase.PERIOD_END : Increase.IMMEDIATE,
                Decrease.CREDIT));
        Period nominal = month.period();
        ZoneId zone = month.zone();
        long nanos = Duration.between(nominal.start(), nominal.end()).toNanos();
        Instant up = nominal.start().plusNanos(Math.floorMod(seed, nanos));
        Instant nextDay = up.atZone(zone).toLocalDate().plusDays(1).atStartOfDay(zone).toInstant();
        Instant down = up.plusNanos(Math.floorMod(seed / 7, Math.max(1, Duration.between(up, nextDay).toNanos())));
        BigDecimal start = BigDecimal.valueOf(count);

        List<InvoiceLine> lines = SeatBilling.changes(Optional.of(p), start, List.of(
                new SeatStep.Quantity(up, start.add(BigDecimal.valueOf(added)), "up"),
                new SeatStep.Quantity(down, start, "down")), nominal.end(), nominal, Fixtures.USD, zone);

        assertThat(lines).hasSize(2);
        assertThat(exact(lines)).isEqualByComparingTo("0");
        assertThat(rounded(lines)).isEqualByComparingTo("0");
    }
}

package dev.tally.core.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.billing.BillingFixtures.Schedule;
import dev.tally.core.pricing.Fixtures;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Proration never creates or loses money: parts of a period add up to the whole. */
class ProrationPropertiesTest {

    @Provide
    Arbitrary<Schedule> schedules() {
        return BillingFixtures.schedules();
    }

    @Provide
    Arbitrary<BigDecimal> fees() {
        return Fixtures.decimals("100000", 4);
    }

    @Property(tries = 1000)
    void splittingTheNominalPeriodAtAnyDayBoundarySumsExactlyToTheFee(@ForAll("schedules") Schedule s,
            @ForAll("fees") BigDecimal fee, @ForAll @IntRange(min = 0, max = 5) int periodIndex,
            @ForAll @IntRange(min = 1, max = 400) int dayOffset) {
        Period nominal = s.nominal(s.periods(6).get(periodIndex));
        long days = Proration.days(nominal, s.zone());
        if (days < 2) {
            return;
        }
        LocalDate splitDay = BillingCalendar.localDate(nominal.start(), s.zone()).plusDays(1 + dayOffset % (days - 1));
        Instant split = BillingCalendar.midnight(splitDay, s.zone());

        BigDecimal first = Proration.prorate(fee, new Period(nominal.start(), split), nominal, s.zone());
        BigDecimal second = Proration.prorate(fee, new Period(split, nominal.end()), nominal, s.zone());

        assertThat(first.add(second)).isEqualByComparingTo(fee);
    }

    @Property(tries = 1000)
    void splittingAtAnyInstantSumsExactlyToTheFeeAndNoPartExceedsIt(@ForAll("schedules") Schedule s,
            @ForAll("fees") BigDecimal fee, @ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long seed) {
        Period nominal = s.nominal(s.periods(2).get(1));
        long nanos = Duration.between(nominal.start(), nominal.end()).toNanos();
        Instant split = nominal.start().plusNanos(1 + Math.floorMod(seed, nanos - 1));

        BigDecimal first = Proration.prorate(fee, new Period(nominal.start(), split), nominal, s.zone());
        BigDecimal second = Proration.prorate(fee, new Period(split, nominal.end()), nominal, s.zone());

        assertThat(first.add(second)).isEqualByComparingTo(fee);
        assertThat(first).isBetween(BigDecimal.ZERO, fee);
        assertThat(second).isBetween(BigDecimal.ZERO, fee);
    }

    @Property(tries = 500)
    void splittingIntoManyPartsLosesAtMostOneDigitFarBeyondAnyMinorUnitPerExtraPart(@ForAll("schedules") Schedule s,
            @ForAll("fees") BigDecimal fee, @ForAll @IntRange(min = 2, max = 6) int parts, @ForAll long seed) {
        Period nominal = s.nominal(s.periods(2).get(1));
        long days = Proration.days(nominal, s.zone());
        LocalDate first = BillingCalendar.localDate(nominal.start(), s.zone());
        List<Instant> cuts = new ArrayList<>(List.of(nominal.start()));
        java.util.Random random = new java.util.Random(seed);
        for (int i = 1; i < parts; i++) {
            Instant cut = BillingCalendar.midnight(first.plusDays(1 + random.nextLong(Math.max(1, days - 1))), s.zone());
            if (cut.isAfter(cuts.get(cuts.size() - 1)) && cut.isBefore(nominal.end())) {
                cuts.add(cut);
            }
        }
        cuts.add(nominal.end());

        BigDecimal sum = BigDecimal.ZERO;
        for (int i = 0; i + 1 < cuts.size(); i++) {
            sum = sum.add(Proration.prorate(fee, new Period(cuts.get(i), cuts.get(i + 1)), nominal, s.zone()));
        }
        BigDecimal ulp = BigDecimal.ONE.movePointLeft(Math.max(fee.scale(), 0) + Proration.EXTRA_DIGITS);

        assertThat(sum.subtract(fee).abs()).isLessThanOrEqualTo(ulp.multiply(BigDecimal.valueOf(cuts.size() - 2L)));
    }
}

package dev.tally.core.discount;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.billing.Charge;
import dev.tally.core.billing.FeeTiming;
import dev.tally.core.billing.FlatCharge;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Plan;
import dev.tally.core.billing.BillingInterval;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The version of an override in force at an instant is what a model of the rule gives: replay the versions in order,
 * each overwriting the day-by-day timeline from its effective_from on (its terms until effective_to, nothing after);
 * and the priced parts of a segment cover every charge over the whole segment exactly once.
 */
class OverrideSchedulePropertiesTest {
    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    static final int DAYS = 40;

    record Spec(int from, Optional<Integer> length) {
    }

    @Provide
    Arbitrary<List<Spec>> specs() {
        return Combinators.combine(Arbitraries.integers().between(0, DAYS - 1),
                Arbitraries.integers().between(1, 20).optional(0.5)).as(Spec::new).list().ofMinSize(1).ofMaxSize(8);
    }

    static List<OverrideVersion> versions(String charge, List<Spec> specs) {
        List<OverrideVersion> out = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            Spec s = specs.get(i);
            Instant from = T0.plus(Duration.ofDays(s.from()));
            out.add(new OverrideVersion("ovr_" + charge, i + 1, "sub", charge, from,
                    s.length().map(n -> from.plus(Duration.ofDays(n))),
                    new OverrideTerms.Amount(BigDecimal.valueOf(i + 1)), "", T0));
        }
        return out;
    }

    /** The model: day -> version number (0 = none), version by version. */
    static int[] timeline(List<Spec> specs) {
        int[] day = new int[DAYS + 30];
        for (int i = 0; i < specs.size(); i++) {
            Spec s = specs.get(i);
            for (int d = s.from(); d < day.length; d++) {
                day[d] = s.length().isEmpty() || d < s.from() + s.length().get() ? i + 1 : 0;
            }
        }
        return day;
    }

    @Property(tries = 1000)
    void theVersionInForceIsTheLatestVersionStartedIfItsRangeCoversTheInstant(@ForAll("specs") List<Spec> specs) {
        OverrideSchedule schedule = new OverrideSchedule(versions("fee", specs));
        int[] model = timeline(specs);
        for (int d = 0; d < model.length; d++) {
            for (long offset : new long[] {0, 12 * 3600}) {
                Instant t = T0.plus(Duration.ofDays(d)).plusSeconds(offset);
                int got = schedule.inForce("fee", t).map(OverrideVersion::version).orElse(0);
                assertThat(got).as("day %d", d).isEqualTo(model[d]);
            }
        }
        assertThat(schedule.inForce("other", T0.plus(Duration.ofDays(5)))).isEmpty();
    }

    @Property(tries = 500)
    void pricedPartsCoverEachChargeOverTheWholeSegmentOnce(@ForAll("specs") List<Spec> a, @ForAll("specs") List<Spec> b,
            @ForAll("segments") Period segment) {
        List<OverrideVersion> all = new ArrayList<>(versions("a", a));
        all.addAll(versions("b", b));
        OverrideSchedule schedule = new OverrideSchedule(all);
        List<Charge> charges = List.of(new FlatCharge("a", "A", BigDecimal.TEN, FeeTiming.IN_ARREARS),
                new FlatCharge("b", "B", BigDecimal.TEN, FeeTiming.IN_ARREARS),
                new FlatCharge("c", "C", BigDecimal.TEN, FeeTiming.IN_ARREARS));
        Plan plan = new Plan("p", 1, "P", Currency.getInstance("USD"), BillingInterval.MONTHLY, charges, List.of(), 0);
        Map<String, Duration> covered = new HashMap<>();
        for (PricedPart part : schedule.parts(plan, segment)) {
            assertThat(segment.encloses(part.period())).isTrue();
            for (Charge ch : part.plan().charges()) {
                covered.merge(ch.key(), Duration.between(part.period().start(), part.period().end()), Duration::plus);
                Optional<OverrideVersion> v = schedule.inForce(ch.key(), part.period().start());
                // the whole part is under one version: the one in force at its start and just before its end
                assertThat(schedule.inForce(ch.key(), part.period().end().minusSeconds(1))).isEqualTo(v);
                assertThat(Optional.ofNullable(part.applied().get(ch.key()))).isEqualTo(v);
                BigDecimal amount = ((FlatCharge) ch).amount();
                assertThat(amount).isEqualByComparingTo(v.map(x -> ((OverrideTerms.Amount) x.terms()).amount())
                        .orElse(BigDecimal.TEN));
            }
        }
        Duration whole = Duration.between(segment.start(), segment.end());
        assertThat(covered).containsOnlyKeys("a", "b", "c");
        covered.values().forEach(d -> assertThat(d).isEqualTo(whole));
    }

    @Provide
    Arbitrary<Period> segments() {
        return Combinators.combine(Arbitraries.integers().between(0, DAYS), Arbitraries.integers().between(1, 31))
                .as((from, len) -> new Period(T0.plus(Duration.ofDays(from)), T0.plus(Duration.ofDays(from + len))));
    }
}

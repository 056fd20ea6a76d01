package dev.tally.core.pricing;

import static dev.tally.core.pricing.Fixtures.decimals;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Invariants of the percentage model's two free allowances (free events and free amount, Lago's
 * {@code free_units_per_events} and {@code free_units_per_total_aggregation}), for every price and every list of
 * event values in event-time order.
 */
class PercentageAllowancePropertiesTest {

    @Property(tries = 1000)
    void theFreeEventsNeverExceedFreeEventsNorTheEvents(@ForAll("prices") PercentagePrice p,
            @ForAll("values") List<BigDecimal> values) {
        FreeAllowance free = FreeAllowance.of(p, values);

        assertThat(free.events()).isBetween(0, values.size());
        if (p.freeEvents() > 0) {
            assertThat(free.events()).isLessThanOrEqualTo(p.freeEvents());
        }
        assertThat(free.units()).isBetween(BigDecimal.ZERO, sum(values));
        Optional<RatedLine> line = Rater.rateEvents(p, values).lines().stream()
                .filter(l -> l.description().equals("Free events")).findFirst();
        assertThat(line.map(l -> l.quantity().intValueExact()).orElse(0)).isEqualTo(p.freeEvents() > 0 ? free.events() : 0);
    }

    @Property(tries = 1000)
    void theFreeEventsAreExactlyTheLeadingEventsWhoseRunningTotalStaysWithinTheFreeUnits(
            @ForAll("prices") PercentagePrice p, @ForAll("values") List<BigDecimal> values) {
        FreeAllowance free = FreeAllowance.of(p, values);
        if (p.freeEvents() == 0 && p.freeAmount().signum() == 0) {
            assertThat(free.events()).isZero();
            return;
        }
        BigDecimal running = BigDecimal.ZERO;
        for (int i = 0; i < free.events(); i++) {
            running = running.add(values.get(i));
            assertThat(running).isLessThanOrEqualTo(free.units());
        }
        boolean stoppedByTheCount = p.freeEvents() > 0 && free.events() == p.freeEvents();
        if (free.events() < values.size() && !stoppedByTheCount) {
            assertThat(running.add(values.get(free.events()))).isGreaterThan(free.units());
        }
    }

    @Property(tries = 1000)
    void anotherEventNeverLowersTheAmount(@ForAll("prices") PercentagePrice p, @ForAll("values") List<BigDecimal> values,
            @ForAll("value") BigDecimal next) {
        List<BigDecimal> more = new ArrayList<>(values);
        more.add(next);

        assertThat(Rater.rateEvents(p, more).amount()).isGreaterThanOrEqualTo(Rater.rateEvents(p, values).amount());
    }

    @Property(tries = 1000)
    void withFreeEventsOnlyItIsThePriceWithoutAllowancesOnTheEventsAfterThem(@ForAll("prices") PercentagePrice p,
            @ForAll("values") List<BigDecimal> values) {
        PercentagePrice eventsOnly = with(p, p.freeEvents(), BigDecimal.ZERO);
        List<BigDecimal> paid = values.subList(Math.min(p.freeEvents(), values.size()), values.size());

        assertThat(Rater.rateEvents(eventsOnly, values).amount())
                .isEqualByComparingTo(Rater.rateEvents(with(p, 0, BigDecimal.ZERO), paid).amount());
    }

    @Property(tries = 1000)
    void withAFreeAmountOnlyItIsUsedUpEventByEvent(@ForAll("prices") PercentagePrice p,
            @ForAll("values") List<BigDecimal> values) {
        PercentagePrice amountOnly = with(p, 0, p.freeAmount());

        assertThat(Rater.rateEvents(amountOnly, values).amount()).isEqualByComparingTo(usedUpEventByEvent(amountOnly, values));
    }

    @Property(tries = 1000)
    void withBothItIsTheSingleAllowanceWhoseLimitIsReachedFirst(@ForAll("prices") PercentagePrice p,
            @ForAll("values") List<BigDecimal> values) {
        BigDecimal amount = Rater.rateEvents(p, values).amount();
        BigDecimal afterFreeEvents = sum(values.subList(0, Math.min(p.freeEvents(), values.size())));
        if (p.freeEvents() > 0 && p.freeAmount().compareTo(afterFreeEvents) >= 0) {
            // the free events end first: the free amount changes nothing
            assertThat(amount).isEqualByComparingTo(Rater.rateEvents(with(p, p.freeEvents(), BigDecimal.ZERO), values).amount());
        }
        if (p.freeAmount().signum() > 0 && p.freeEvents() >= values.size()) {
            // the free amount ends first (or no event is beyond the free events)
            assertThat(amount).isEqualByComparingTo(Rater.rateEvents(with(p, 0, p.freeAmount()), values).amount());
        }
    }

    /** The documented free-amount rule, event by event: an event that fits in what is left is free. */
    private static BigDecimal usedUpEventByEvent(PercentagePrice p, List<BigDecimal> values) {
        BigDecimal left = p.freeAmount();
        BigDecimal total = BigDecimal.ZERO;
        boolean allowance = left.signum() > 0;
        BigDecimal factor = Decimals.percentToFactor(p.rate());
        for (BigDecimal v : values) {
            BigDecimal charged = v;
            if (allowance) {
                if (v.compareTo(left) <= 0) {
                    left = left.subtract(v);
                    continue;
                }
                charged = v.subtract(left);
                left = BigDecimal.ZERO;
                allowance = false;
            }
            BigDecimal fee = charged.multiply(factor).add(p.fixedFee());
            if (p.minPerEvent().isPresent() && fee.compareTo(p.minPerEvent().get()) < 0) {
                fee = p.minPerEvent().get();
            } else if (p.maxPerEvent().isPresent() && fee.compareTo(p.maxPerEvent().get()) > 0) {
                fee = p.maxPerEvent().get();
            }
            total = total.add(fee);
        }
        return total;
    }

    private static PercentagePrice with(PercentagePrice p, int freeEvents, BigDecimal freeAmount) {
        return new PercentagePrice(p.rate(), p.fixedFee(), freeEvents, freeAmount, p.minPerEvent(), p.maxPerEvent());
    }

    private static BigDecimal sum(List<BigDecimal> values) {
        return values.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    @Provide
    Arbitrary<PercentagePrice> prices() {
        Arbitrary<Optional<BigDecimal>> bound = decimals("30", 2).optional(0.3);
        Arbitrary<BigDecimal> freeAmount = Arbitraries.oneOf(Arbitraries.just(BigDecimal.ZERO), decimals("3000", 2),
                Arbitraries.of(new BigDecimal("300"), new BigDecimal("600"), new BigDecimal("1000")));
        return Combinators.combine(decimals("10", 3), decimals("1", 2), Arbitraries.integers().between(0, 8),
                freeAmount, bound, bound)
                .filter((rate, fee, freeEvents, amount, min, max) ->
                        min.isEmpty() || max.isEmpty() || min.get().compareTo(max.get()) <= 0)
                .as(PercentagePrice::new);
    }

    @Provide
    Arbitrary<BigDecimal> value() {
        return Arbitraries.oneOf(decimals("1000", 2), Arbitraries.of(BigDecimal.ZERO, new BigDecimal("300")));
    }

    @Provide
    Arbitrary<List<BigDecimal>> values() {
        return value().list().ofMaxSize(12);
    }
}

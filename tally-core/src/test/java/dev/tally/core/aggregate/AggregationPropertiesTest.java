package dev.tally.core.aggregate;

import static dev.tally.core.CoreFixtures.DAY;
import static dev.tally.core.CoreFixtures.dec;
import static dev.tally.core.CoreFixtures.deserialize;
import static dev.tally.core.CoreFixtures.serialize;
import static dev.tally.core.CoreFixtures.stateOf;
import static dev.tally.core.CoreFixtures.window;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.CoreFixtures.Sample;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.LongRange;

/**
 * Properties every aggregation must have for the engine to answer windows by
 * merging bucket states and to cancel events by rebuilding a bucket: the state
 * depends only on the set of contributions, never on their order or grouping.
 * Each property checks all aggregations on the same generated contributions.
 */
class AggregationPropertiesTest {

    private static final Instant DAY_END = DAY.plus(Duration.ofDays(1));
    /** A few instants many events share, so ties (broken by the tie-break key) are common. */
    private static final List<Instant> CROWDED = List.of(DAY, DAY.plusSeconds(3600),
            DAY.plusSeconds(3600).plusNanos(1), DAY.plusSeconds(43_200));
    /** The window values are compared over; the gauge starts the day at a carried-in 2.5. */
    private static final ValueWindow THE_DAY = window(DAY, DAY_END,
            Optional.of(new Reading(DAY.minusSeconds(60), "carried", dec("2.5"))), TimeUnitOfMeasure.HOUR);

    @Provide
    Arbitrary<List<Sample>> contributions() {
        return samples(0);
    }

    @Provide
    Arbitrary<List<Sample>> someContributions() {
        return samples(1);
    }

    /**
     * Distinct events: random instants within the day (sometimes shared), unique tie-break keys (as
     * source+id are), values of up to 6 decimals, distinct texts from a small alphabet.
     */
    private static Arbitrary<List<Sample>> samples(int minSize) {
        Arbitrary<Instant> seconds = Arbitraries.integers().between(0, 86_399).map(DAY::plusSeconds);
        Arbitrary<Instant> nanos = Arbitraries.longs().between(0, 86_400_000_000_000L - 1).map(DAY::plusNanos);
        Arbitrary<Instant> time = Arbitraries.frequencyOf(
                Tuple.of(3, seconds), Tuple.of(1, nanos), Tuple.of(2, Arbitraries.of(CROWDED)));
        Arbitrary<String> tieBreak = Arbitraries.strings().withChars("abxyz\u0000\u00e9").ofMinLength(0).ofMaxLength(8);
        Arbitrary<BigDecimal> value = Arbitraries.integers().between(0, 6).flatMap(scale -> Arbitraries.bigDecimals()
                .between(dec("-1000000"), dec("1000000")).ofScale(scale));
        Arbitrary<String> distinct = Arbitraries.strings().withChars("abc").ofMinLength(1).ofMaxLength(2);
        return Combinators.combine(time, tieBreak, value, distinct).as(Sample::new)
                .list().ofMinSize(minSize).ofMaxSize(40).uniqueElements(Sample::tieBreak);
    }

    // ---- (a) order independence

    @Property(tries = 300)
    void anyOrderOfAddingGivesTheSameState(@ForAll("contributions") List<Sample> samples, @ForAll Random random) {
        List<Sample> shuffled = new ArrayList<>(samples);
        Collections.shuffle(shuffled, random);
        for (Aggregation a : Aggregation.values()) {
            assertSameState(a, stateOf(a, shuffled), stateOf(a, samples));
        }
    }

    // ---- (b) split and merge

    @Property(tries = 300)
    void splittingAndMergingGivesTheSameStateAsOneState(@ForAll("contributions") List<Sample> samples,
            @ForAll Random random) {
        int cut = random.nextInt(samples.size() + 1);
        for (Aggregation a : Aggregation.values()) {
            AggregateState merged = stateOf(a, samples.subList(0, cut));
            merged.merge(stateOf(a, samples.subList(cut, samples.size())));
            assertSameState(a, merged, stateOf(a, samples));
        }
    }

    // ---- (c) merge is commutative and associative

    @Property(tries = 300)
    void mergeIsCommutativeAndLeavesItsArgumentUnchanged(@ForAll("contributions") List<Sample> samples,
            @ForAll Random random) {
        int cut = random.nextInt(samples.size() + 1);
        for (Aggregation a : Aggregation.values()) {
            AggregateState x = stateOf(a, samples.subList(0, cut));
            AggregateState y = stateOf(a, samples.subList(cut, samples.size()));
            AggregateState xy = x.copy();
            xy.merge(y);
            AggregateState yx = y.copy();
            yx.merge(x);
            assertSameState(a, xy, yx);
            assertSameState(a, y, stateOf(a, samples.subList(cut, samples.size())));
        }
    }

    @Property(tries = 300)
    void mergeIsAssociative(@ForAll("contributions") List<Sample> samples, @ForAll Random random) {
        int first = random.nextInt(samples.size() + 1);
        int second = first + random.nextInt(samples.size() - first + 1);
        for (Aggregation a : Aggregation.values()) {
            AggregateState x = stateOf(a, samples.subList(0, first));
            AggregateState y = stateOf(a, samples.subList(first, second));
            AggregateState z = stateOf(a, samples.subList(second, samples.size()));
            AggregateState left = x.copy();
            left.merge(y);
            left.merge(z);
            AggregateState yz = y.copy();
            yz.merge(z);
            AggregateState right = x.copy();
            right.merge(yz);
            assertSameState(a, left, right);
        }
    }

    // ---- (d) cancelling an event

    /**
     * The engine keeps one state per hour and cancels an event by rebuilding its hour from the other events;
     * the merged result must be the state of the remaining events, built from scratch.
     */
    @Property(tries = 300)
    void cancellingByRebuildingTheBucketUndoesExactlyThatEvent(@ForAll("someContributions") List<Sample> samples,
            @ForAll Random random) {
        Sample cancelled = samples.get(random.nextInt(samples.size()));
        List<Sample> rest = new ArrayList<>(samples);
        rest.remove(cancelled);
        long cancelledHour = hourOf(cancelled);
        for (Aggregation a : Aggregation.values()) {
            Map<Long, AggregateState> buckets = bucketsByHour(a, samples);
            buckets.put(cancelledHour, stateOf(a, rest.stream().filter(s -> hourOf(s) == cancelledHour).toList()));
            List<AggregateState> states = new ArrayList<>(buckets.values());
            Collections.shuffle(states, random);
            AggregateState afterCancel = AggregateState.empty(a);
            states.forEach(afterCancel::merge);

            Collections.shuffle(rest, random);
            assertSameState(a, afterCancel, stateOf(a, rest));
            AggregateState full = stateOf(a, samples);
            assertThat(full.eventCount() - afterCancel.eventCount()).as("%s event count", a).isEqualTo(1);
            BigDecimal removed = full.value(THE_DAY).subtract(afterCancel.value(THE_DAY));
            if (a == Aggregation.SUM) {
                assertThat(removed).as("sum loses exactly the cancelled value").isEqualByComparingTo(cancelled.value());
            } else if (a == Aggregation.COUNT) {
                assertThat(removed).as("count loses exactly one").isEqualByComparingTo(BigDecimal.ONE);
            }
        }
    }

    private static long hourOf(Sample s) {
        return Duration.between(DAY, s.time()).toHours();
    }

    private static Map<Long, AggregateState> bucketsByHour(Aggregation a, List<Sample> samples) {
        Map<Long, AggregateState> buckets = new TreeMap<>();
        for (Sample s : samples) {
            buckets.computeIfAbsent(hourOf(s), h -> AggregateState.empty(a))
                    .add(s.time(), s.tieBreak(), s.value(), s.distinct());
        }
        return buckets;
    }

    // ---- (e) checkpoint round trip

    @Property(tries = 300)
    void writingAndReadingBackPreservesTheState(@ForAll("contributions") List<Sample> samples) {
        Aggregation[] all = Aggregation.values();
        AggregateState[] states = new AggregateState[all.length];
        for (int i = 0; i < all.length; i++) {
            states[i] = stateOf(all[i], samples);
        }
        List<AggregateState> read = deserialize(serialize(states), all);
        for (int i = 0; i < all.length; i++) {
            assertSameState(all[i], read.get(i), states[i]);
            assertThat(read.get(i).aggregation()).isEqualTo(all[i]);
        }
    }

    // ---- time-weighted sum across adjacent windows

    /**
     * Windows [a,b) and [b,c), each answered from the readings inside it plus the last reading before its
     * start (the carry-in), add up to [a,c). In seconds no division rounds, so the sum is exact.
     */
    @Property(tries = 500)
    void timeWeightedSumIsAdditiveAcrossAdjacentWindows(@ForAll("contributions") List<Sample> samples,
            @ForAll @LongRange(min = -3_600, max = 90_000) long x, @ForAll @LongRange(min = -3_600, max = 90_000) long y,
            @ForAll @LongRange(min = -3_600, max = 90_000) long z) {
        long[] cuts = {x, y, z};
        java.util.Arrays.sort(cuts);
        Instant a = DAY.plusSeconds(cuts[0]);
        Instant b = DAY.plusSeconds(cuts[1]);
        Instant c = DAY.plusSeconds(cuts[2]);

        BigDecimal whole = windowed(samples, a, c, TimeUnitOfMeasure.SECOND);
        BigDecimal first = windowed(samples, a, b, TimeUnitOfMeasure.SECOND);
        BigDecimal second = windowed(samples, b, c, TimeUnitOfMeasure.SECOND);
        assertThat(first.add(second)).isEqualByComparingTo(whole);

        // Coarser units divide once per window, so the parts may differ from the whole in the last digits.
        for (TimeUnitOfMeasure unit : List.of(TimeUnitOfMeasure.MINUTE, TimeUnitOfMeasure.HOUR, TimeUnitOfMeasure.DAY)) {
            BigDecimal parts = windowed(samples, a, b, unit).add(windowed(samples, b, c, unit));
            assertThat(parts.subtract(windowed(samples, a, c, unit)).abs())
                    .as("%s rounding", unit).isLessThanOrEqualTo(dec("1e-20"));
        }
    }

    /** A state holding every reading of the day answers a window exactly as the window's own readings do. */
    @Property(tries = 300)
    void timeWeightedSumOfAWindowIgnoresReadingsOutsideIt(@ForAll("contributions") List<Sample> samples,
            @ForAll @LongRange(min = -3_600, max = 90_000) long x, @ForAll @LongRange(min = -3_600, max = 90_000) long y) {
        Instant from = DAY.plusSeconds(Math.min(x, y));
        Instant end = DAY.plusSeconds(Math.max(x, y));
        AggregateState everything = stateOf(Aggregation.TIME_WEIGHTED_SUM, samples);
        BigDecimal fromEverything = everything.value(window(from, end, TimeUnitOfMeasure.HOUR));
        assertThat(fromEverything).isEqualByComparingTo(windowed(samples, from, end, TimeUnitOfMeasure.HOUR));
    }

    /** The value over [from, end) of a state holding only the readings in it, carrying in the one before. */
    private static BigDecimal windowed(List<Sample> samples, Instant from, Instant end, TimeUnitOfMeasure unit) {
        List<Sample> inside = samples.stream()
                .filter(s -> !s.time().isBefore(from) && s.time().isBefore(end)).toList();
        Optional<Reading> carryIn = samples.stream().filter(s -> s.time().isBefore(from)).map(Sample::reading)
                .max(Comparator.naturalOrder());
        return stateOf(Aggregation.TIME_WEIGHTED_SUM, inside).value(window(from, end, carryIn, unit));
    }

    private static void assertSameState(Aggregation a, AggregateState actual, AggregateState expected) {
        assertThat(actual.value(THE_DAY)).as("%s value", a).isEqualByComparingTo(expected.value(THE_DAY));
        assertThat(actual.eventCount()).as("%s event count", a).isEqualTo(expected.eventCount());
        assertThat(actual.lastReading()).as("%s last reading", a).isEqualTo(expected.lastReading());
    }
}

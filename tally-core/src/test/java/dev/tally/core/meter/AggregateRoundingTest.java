package dev.tally.core.meter;

import static dev.tally.core.CoreFixtures.json;
import static dev.tally.core.CoreFixtures.meter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.aggregate.Aggregation;
import dev.tally.core.meter.AggregateRounding.Mode;
import dev.tally.core.pricing.PriceModel;
import dev.tally.core.pricing.Rater;
import dev.tally.core.pricing.Tier;
import dev.tally.core.pricing.UnitPrice;
import dev.tally.core.pricing.GraduatedPrice;
import dev.tally.core.pricing.Usage;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A meter version's aggregate rounding: the vectors, the JSON, the refusals, and that it applies once per period. */
class AggregateRoundingTest {
    private static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");

    /** Hand-computed, in the manner of Lago's metric rounding vectors (round is half up; negative precision = tens). */
    @ParameterizedTest(name = "{0} at {1}: {2} -> {3}")
    @CsvSource({
            "round, 2, 12.345, 12.35",
            "round, 2, 12.344, 12.34",
            "round, 2, -12.345, -12.35",
            "round, 0, 2.5, 3",
            "round, 0, 2.4999, 2",
            "round, 2, 7, 7.00",
            "ceil, 0, 10.0001, 11",
            "ceil, 0, 10, 10",
            "ceil, 0, 0.2, 1",
            "ceil, 1, 0.21, 0.3",
            "floor, 0, 10.9999, 10",
            "floor, -1, 1234.5, 1230",
            "floor, -1, 9, 0",
            "ceil, -2, 101, 200",
            "round, -1, 15, 20",
            "round, -1, 14.99, 10",
    })
    void roundsThePeriodTotalAsDocumented(String mode, int precision, String total, String expected) {
        AggregateRounding r = new AggregateRounding(Mode.fromWireName(mode).orElseThrow(), precision);
        assertThat(r.apply(new BigDecimal(total))).isEqualByComparingTo(expected);
        assertThat(r.apply(new BigDecimal(total)).toPlainString()).doesNotContain("E");
    }

    @Test
    void aMeterWithoutRoundingBillsItsTotalUnchanged() {
        Meter m = meter("tok").sum("n").build();
        assertThat(m.rounding()).isEmpty();
        assertThat(m.billable(new BigDecimal("1.234"))).isEqualByComparingTo("1.234");
    }

    @Test
    void writesAndReadsTheRounding() {
        Meter m = meter("tok").sum("n").rounding(Mode.FLOOR, -1).build();
        ObjectNode written = MeterJson.write(m);
        assertThat(written.get("rounding").toString()).isEqualTo("{\"mode\":\"floor\",\"precision\":-1}");
        assertThat(MeterJson.read(written, Optional.of("tok"), 1, Instant.EPOCH)).isEqualTo(m);
        assertThat(MeterJson.write(meter("tok").sum("n").build()).has("rounding")).isFalse();
    }

    @Test
    void precisionDefaultsToZero() {
        Meter m = MeterJson.read(json("{'key': 'c', 'event_type': 't', 'aggregation': 'sum', 'value_path': 'n',"
                + " 'rounding': {'mode': 'ceil'}}"), Optional.empty(), 1, FROM);
        assertThat(m.rounding()).contains(new AggregateRounding(Mode.CEIL, 0));
    }

    @Test
    void refusesAnUnknownModeABadPrecisionAndUnknownFields() {
        assertThat(violations("{'mode': 'half_even', 'precision': 2}")).containsExactly("rounding.mode");
        assertThat(violations("{'precision': 2}")).containsExactly("rounding.mode");
        assertThat(violations("{'mode': 'round', 'precision': 1.5}")).containsExactly("rounding.precision");
        assertThat(violations("{'mode': 'round', 'precision': '2'}")).containsExactly("rounding.precision");
        assertThat(violations("{'mode': 'round', 'precision': 16}")).containsExactly("rounding.precision");
        assertThat(violations("{'mode': 'round', 'digits': 2}")).containsExactly("rounding.digits");
        assertThat(violations("'ceil'")).containsExactly("rounding");
        assertThatThrownBy(() -> new AggregateRounding(Mode.ROUND, -16)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aChangedRoundingIsANewDefinition() {
        Meter a = meter("tok").sum("n").build();
        Meter b = meter("tok").sum("n").rounding(Mode.CEIL, 0).build();
        assertThat(a.sameDefinition(b)).isFalse();
        assertThat(b.asVersion(2, FROM).rounding()).isEqualTo(b.rounding());
    }

    @Test
    void ceilOnThePeriodTotalIsNotCeilOnEachEvent() {
        Meter m = meter("gb").sum("gb").rounding(Mode.CEIL, 0).build();
        List<BigDecimal> events = List.of(new BigDecimal("0.4"), new BigDecimal("0.4"), new BigDecimal("0.4"));
        BigDecimal total = events.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(m.billable(total)).isEqualByComparingTo("2");
        assertThat(events.stream().map(m::billable).reduce(BigDecimal.ZERO, BigDecimal::add))
                .as("what rounding each event would give").isEqualByComparingTo("3");
    }

    /**
     * Rounding applies once to the period total: however the period's events are split into windows, rating the
     * rounded sum of the window totals equals rating the rounded sum of the events (the split never changes the
     * bill), and the rounded total is within one step of the raw total.
     */
    @Property(tries = 300)
    void roundingAppliesOnceToThePeriodTotal(@ForAll("events") List<BigDecimal> events,
            @ForAll("roundings") AggregateRounding rounding, @ForAll("cut") int cut, @ForAll("models") PriceModel model) {
        Meter m = new Meter("m", 1, "m", "t", Aggregation.SUM, Optional.of(DataPath.parse("v")), Optional.empty(),
                List.of(), List.of(), dev.tally.core.aggregate.TimeUnitOfMeasure.HOUR, FROM, Optional.of(rounding));
        int k = Math.min(cut, events.size());
        BigDecimal first = sum(events.subList(0, k));
        BigDecimal second = sum(events.subList(k, events.size()));
        BigDecimal period = m.billable(first.add(second));
        assertThat(period).isEqualByComparingTo(rounding.apply(sum(events)));
        assertThat(Rater.rate(model, Usage.quantity(period)).amount())
                .isEqualByComparingTo(Rater.rate(model, Usage.quantity(m.billable(sum(events)))).amount());
        BigDecimal step = BigDecimal.ONE.scaleByPowerOfTen(-rounding.precision());
        assertThat(period.subtract(sum(events)).abs()).isLessThan(step);
        assertThat(m.billable(period)).as("idempotent: rounding twice is rounding once").isEqualByComparingTo(period);
    }

    @Provide
    Arbitrary<List<BigDecimal>> events() {
        return Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("1000")).ofScale(3).list().ofMaxSize(20);
    }

    @Provide
    Arbitrary<AggregateRounding> roundings() {
        return net.jqwik.api.Combinators.combine(Arbitraries.of(Mode.class), Arbitraries.integers().between(-2, 3))
                .as(AggregateRounding::new);
    }

    @Provide
    Arbitrary<Integer> cut() {
        return Arbitraries.integers().between(0, 20);
    }

    @Provide
    Arbitrary<PriceModel> models() {
        return Arbitraries.of(new UnitPrice(new BigDecimal("0.37")), new GraduatedPrice(List.of(
                Tier.upTo(new BigDecimal("100"), BigDecimal.ONE, BigDecimal.ZERO),
                Tier.open(new BigDecimal("0.5"), BigDecimal.TEN))));
    }

    private static BigDecimal sum(List<BigDecimal> xs) {
        return xs.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static List<String> violations(String rounding) {
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> MeterJson.read(
                json("{'key': 'c', 'event_type': 't', 'aggregation': 'sum', 'value_path': 'n', 'rounding': " + rounding
                        + "}"), Optional.empty(), 1, FROM));
        assertThat(e).isNotNull();
        return e.violations().stream().map(FieldViolation::field).toList();
    }
}

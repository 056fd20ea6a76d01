package dev.tally.core.meter;

import static dev.tally.core.CoreFixtures.at;
import static dev.tally.core.CoreFixtures.json;
import static dev.tally.core.CoreFixtures.meter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.aggregate.Aggregation;
import dev.tally.core.aggregate.TimeUnitOfMeasure;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MeterJsonTest {

    private static final Instant DEFAULT_FROM = Instant.parse("2026-01-01T00:00:00Z");

    static Stream<Meter> meters() {
        return Stream.of(
                meter("calls").build(),
                meter("tokens").name("LLM tokens").type("llm.tokens").sum("usage.tokens")
                        .filter("region", "eu", "us", "1.5").groupBy("model", "geo.country").version(3, at("10:15:30.123456789"))
                        .build(),
                meter("users").of(Aggregation.UNIQUE_COUNT, "user.id").build(),
                meter("peak").of(Aggregation.MAX, "load").build(),
                meter("floor").of(Aggregation.MIN, "load").build(),
                meter("last").of(Aggregation.LATEST, "seats").build(),
                meter("mean").of(Aggregation.AVG, "latency_ms").build(),
                meter("cost").computing(Aggregation.SUM, "tokens * lookup(model, 'big', 30, 'small', 1, 2)").build(),
                meter("storage").of(Aggregation.TIME_WEIGHTED_SUM, "gb").unit(TimeUnitOfMeasure.MINUTE).build(),
                meter("storage-days").of(Aggregation.TIME_WEIGHTED_SUM, "gb").unit(TimeUnitOfMeasure.DAY).build());
    }

    private static Meter read(JsonNode body, int version) {
        return MeterJson.read(body, Optional.empty(), version, DEFAULT_FROM);
    }

    private static List<FieldViolation> violations(String singleQuotedBody) {
        ValidationException e = catchThrowableOfType(ValidationException.class,
                () -> MeterJson.read(json(singleQuotedBody), Optional.empty(), 1, DEFAULT_FROM));
        assertThat(e).as("validation fails").isNotNull();
        return e.violations();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("meters")
    void writingThenReadingGivesAnEqualMeter(Meter m) {
        ObjectNode written = MeterJson.write(m);
        assertThat(read(written, m.version())).isEqualTo(m);
        assertThat(MeterJson.read(written, Optional.of(m.key()), m.version(), DEFAULT_FROM)).isEqualTo(m);
    }

    @Test
    void writtenFormUsesTheApiSpelling() {
        Meter m = meter("storage").of(Aggregation.TIME_WEIGHTED_SUM, "$.gb").unit(TimeUnitOfMeasure.DAY)
                .filter("tier", "b", "a").build();
        assertThat(json(MeterJson.write(m).toString())).isEqualTo(json("""
                {'key': 'storage', 'version': 1, 'name': 'storage', 'event_type': 'api.call',
                 'aggregation': 'time_weighted_sum', 'value_path': 'gb', 'filters': {'tier': ['a', 'b']},
                 'group_by': [], 'time_unit': 'day', 'effective_from': '1970-01-01T00:00:00Z'}"""));
    }

    @Test
    void readFillsInDefaults() {
        Meter m = MeterJson.read(json("{'event_type': 'llm', 'aggregation': 'sum', 'value_path': '$.tokens'}"),
                Optional.of("tokens"), 2, DEFAULT_FROM);
        assertThat(m.key()).isEqualTo("tokens");
        assertThat(m.name()).isEqualTo("tokens");
        assertThat(m.version()).isEqualTo(2);
        assertThat(m.valuePath()).contains(DataPath.parse("tokens"));
        assertThat(m.timeUnit()).isEqualTo(TimeUnitOfMeasure.HOUR);
        assertThat(m.effectiveFrom()).isEqualTo(DEFAULT_FROM);
        assertThat(m.filters()).isEmpty();
        assertThat(m.groupBy()).isEmpty();
    }

    @Test
    void effectiveFromAcceptsAnOffset() {
        Meter m = read(json("{'key': 'c', 'event_type': 't', 'aggregation': 'count',"
                + " 'effective_from': '2026-11-23T12:00:00+02:00'}"), 1);
        assertThat(m.effectiveFrom()).isEqualTo(at("10:00"));
    }

    @Test
    void filterValuesMayBeAScalarOrNumbers() {
        Meter m = read(json("{'key': 'c', 'event_type': 't', 'aggregation': 'count',"
                + " 'filters': {'tier': [1.50, 2], 'region': 'eu'}}"), 1);
        assertThat(m.filters()).containsExactlyInAnyOrder(
                new PropertyFilter(DataPath.parse("tier"), java.util.Set.of("1.5", "2")),
                new PropertyFilter(DataPath.parse("region"), java.util.Set.of("eu")));
    }

    @Test
    void everyBadFieldIsReportedAtOnce() {
        List<FieldViolation> v = violations("""
                {'key': 'Not A Key!', 'event_type': '  ', 'aggregation': 'median', 'value_path': 'a..b',
                 'expression': '1 +', 'filters': {'region': [], 'tier': {'x': 1}}, 'group_by': ['model', 3, ''],
                 'time_unit': 'week', 'effective_from': 'yesterday', 'name': 7, 'colour': 'red'}""");
        assertThat(v).extracting(FieldViolation::field).containsExactlyInAnyOrder(
                "colour", "key", "event_type", "aggregation", "value_path", "expression", "filters.region",
                "filters.tier", "group_by[1]", "group_by[2]", "time_unit", "effective_from", "name");
        assertThat(v).allSatisfy(f -> assertThat(f.message()).isNotBlank());
    }

    @Test
    void missingRequiredFieldsAreEachReported() {
        assertThat(violations("{}")).extracting(FieldViolation::field)
                .containsExactlyInAnyOrder("key", "event_type", "aggregation");
    }

    @Test
    void repeatedGroupByDimensionIsReported() {
        assertThat(violations("{'key': 'c', 'event_type': 't', 'aggregation': 'count', 'group_by': ['a', '$.a']}"))
                .extracting(FieldViolation::field).containsExactly("group_by");
    }

    @Test
    void filtersAndGroupByOfTheWrongShapeAreReported() {
        assertThat(violations("{'key': 'c', 'event_type': 't', 'aggregation': 'count', 'filters': [], 'group_by': 'a'}"))
                .extracting(FieldViolation::field).containsExactlyInAnyOrder("filters", "group_by");
    }

    @Test
    void bodyKeyMustMatchTheKeyInTheUrl() {
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> MeterJson.read(
                json("{'key': 'a', 'event_type': 't', 'aggregation': 'count'}"), Optional.of("b"), 1, DEFAULT_FROM));
        assertThat(e.violations()).extracting(FieldViolation::field).containsExactly("key");
    }

    @Test
    void inconsistentDefinitionIsOneBodyViolation() {
        assertThat(violations("{'key': 'a', 'event_type': 't', 'aggregation': 'sum'}"))
                .containsExactly(new FieldViolation("body", "sum needs a value_path or an expression"));
        assertThat(violations("{'key': 'a', 'event_type': 't', 'aggregation': 'count', 'value_path': 'x'}"))
                .extracting(FieldViolation::field).containsExactly("body");
        assertThat(violations("{'key': 'a', 'event_type': 't', 'aggregation': 'sum', 'value_path': 'x', 'expression': 'x'}"))
                .extracting(FieldViolation::field).containsExactly("body");
        assertThat(violations("{'key': 'a', 'event_type': 't', 'aggregation': 'unique_count', 'expression': 'x'}"))
                .extracting(FieldViolation::field).containsExactly("body");
    }

    @Test
    void bodyThatIsNotAnObjectIsRejected() {
        assertThat(violations("[]")).extracting(FieldViolation::field).containsExactly("body");
    }

    /** A time unit only means something for a gauge; elsewhere it is refused rather than silently dropped. */
    @Test
    void refusesATimeUnitOnAnythingButATimeWeightedSum() {
        assertThatThrownBy(() -> read(json("{'key': 'c', 'event_type': 't', 'aggregation': 'sum', 'value_path': 'x', 'time_unit': 'day'}"), 1))
                .isInstanceOf(dev.tally.core.validation.ValidationException.class)
                .hasMessageContaining("time_unit");
    }
}

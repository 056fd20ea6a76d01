package dev.tally.core.meter;

import static dev.tally.core.CoreFixtures.at;
import static dev.tally.core.CoreFixtures.event;
import static dev.tally.core.CoreFixtures.json;
import static dev.tally.core.CoreFixtures.meter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tally.core.aggregate.Aggregation;
import dev.tally.core.aggregate.TimeUnitOfMeasure;
import dev.tally.core.duration.MarkKind;
import dev.tally.core.event.RejectionReason;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A duration meter's definition (JSON both ways, validation) and how it reads an event. */
class DurationMeterTest {
    static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
    static final String SESSIONS = "{'key':'sessions','event_type':'session','aggregation':'duration',"
            + "'duration':{'key':'$.session_id','kind_path':'action','timeout':'PT15M'},'time_unit':'minute'}";

    private static List<String> violations(String singleQuoted) {
        ValidationException e = catchThrowableOfType(ValidationException.class,
                () -> MeterJson.read(json(singleQuoted), Optional.empty(), 1, FROM));
        assertThat(e).as("validation fails").isNotNull();
        return e.violations().stream().map(FieldViolation::field).toList();
    }

    @Test
    void readsADurationMeterWithDefaultKindsAndWritesItBack() {
        Meter m = MeterJson.read(json(SESSIONS), Optional.empty(), 1, FROM);
        assertThat(m.aggregation()).isEqualTo(Aggregation.DURATION);
        assertThat(m.timeUnit()).isEqualTo(TimeUnitOfMeasure.MINUTE);
        DurationSpec d = m.duration().orElseThrow();
        assertThat(d.key().text()).isEqualTo("session_id");
        assertThat(List.of(d.start(), d.heartbeat(), d.stop())).containsExactly("start", "heartbeat", "stop");
        assertThat(d.timeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(MeterJson.write(m).get("duration").toString()).isEqualTo("{\"key\":\"session_id\","
                + "\"kind_path\":\"action\",\"start\":\"start\",\"stop\":\"stop\",\"heartbeat\":\"heartbeat\","
                + "\"timeout\":\"PT15M\"}");
        assertThat(MeterJson.read(MeterJson.write(m), Optional.empty(), 1, FROM)).isEqualTo(m);
    }

    @Test
    void aDurationMeterNeedsItsDurationObjectAndNothingElseHasOne() {
        assertThat(violations("{'key':'s','event_type':'session','aggregation':'duration'}")).containsExactly("duration");
        assertThat(violations("{'key':'s','event_type':'session','aggregation':'count',"
                + "'duration':{'key':'id','kind_path':'action','timeout':'PT1M'}}")).containsExactly("body");
        assertThat(violations("{'key':'s','event_type':'session','aggregation':'duration','value_path':'x',"
                + "'duration':{'key':'id','kind_path':'action','timeout':'PT1M'}}")).containsExactly("body");
    }

    @Test
    void namesEveryInvalidDurationField() {
        assertThat(violations("{'key':'s','event_type':'session','aggregation':'duration',"
                + "'duration':{'kind_path':'','timeout':'15 minutes','stop':3,'pause':'p'}}"))
                .containsExactlyInAnyOrder("duration.pause", "duration.key", "duration.kind_path", "duration.stop",
                        "duration.timeout");
        assertThat(violations("{'key':'s','event_type':'session','aggregation':'duration',"
                + "'duration':{'key':'id','kind_path':'a','timeout':'P40D'}}")).containsExactly("duration");
        assertThat(violations("{'key':'s','event_type':'session','aggregation':'duration',"
                + "'duration':{'key':'id','kind_path':'a','timeout':'PT1M','stop':'start'}}")).containsExactly("duration");
        assertThat(violations("{'key':'s','event_type':'session','aggregation':'duration',"
                + "'duration':{'key':'id','kind_path':'a','timeout':'PT0.5S'}}")).containsExactly("duration");
    }

    @Test
    void theDurationIsPartOfTheDefinitionSoChangingItIsANewDefinition() {
        Meter a = meter("s").type("session").duration(Duration.ofMinutes(15)).build();
        Meter b = meter("s").type("session").duration(Duration.ofMinutes(20)).build();
        assertThat(a.sameDefinition(b)).isFalse();
        assertThat(a.asVersion(2, FROM).duration()).isEqualTo(a.duration());
        assertThatThrownBy(() -> new DurationSpec(DataPath.parse("id"), DataPath.parse("a"), " ", "stop", "beat",
                Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anEventBecomesAMarkOfItsKindAndSessionKey() {
        MeterCatalog catalog = new MeterCatalog(1, List.of(meter("s").type("session").duration(Duration.ofMinutes(15)).build()));
        for (MarkKind kind : MarkKind.values()) {
            String action = kind.name().toLowerCase(java.util.Locale.ROOT);
            Contribution c = catalog.contributionFor("s", event("1", "session", at("01:00"),
                    "{'session':42,'action':'" + action + "'}")).orElseThrow();
            assertThat(MarkKind.ofCode(c.value())).isEqualTo(kind);
            assertThat(c.distinct()).isEqualTo("42");
        }
    }

    @Test
    void anotherActionIsNotMeasuredAndAMissingKeyOrKindIsRejected() {
        MeterCatalog catalog = new MeterCatalog(1, List.of(meter("s").type("session").duration(Duration.ofMinutes(15)).build()));
        assertThat(catalog.evaluate(event("1", "session", at("01:00"), "{'session':'a','action':'pause'}")))
                .isEqualTo(Evaluation.Contributions.NONE);
        Evaluation noKey = catalog.evaluate(event("2", "session", at("01:00"), "{'action':'start'}"));
        assertThat(noKey).isInstanceOfSatisfying(Evaluation.Rejected.class, r -> {
            assertThat(r.reason()).isEqualTo(RejectionReason.VALUE_MISSING);
            assertThat(r.detail()).contains("data.session");
        });
        Evaluation noKind = catalog.evaluate(event("3", "session", at("01:00"), "{'session':'a'}"));
        assertThat(noKind).isInstanceOfSatisfying(Evaluation.Rejected.class,
                r -> assertThat(r.detail()).contains("data.action"));
    }
}

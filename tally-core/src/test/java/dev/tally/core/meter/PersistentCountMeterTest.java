package dev.tally.core.meter;

import static dev.tally.core.CoreFixtures.at;
import static dev.tally.core.CoreFixtures.event;
import static dev.tally.core.CoreFixtures.json;
import static dev.tally.core.CoreFixtures.meter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tally.core.aggregate.Aggregation;
import dev.tally.core.aggregate.PersistentMeasure;
import dev.tally.core.event.RejectionReason;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A persistent count's meter settings (JSON both ways, validation) and how an event's operation is read. */
class PersistentCountMeterTest {

    private static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");

    private static Meter read(String singleQuoted) {
        return MeterJson.read(json(singleQuoted), Optional.empty(), 1, FROM);
    }

    private static List<FieldViolation> violations(String singleQuoted) {
        ValidationException e = catchThrowableOfType(ValidationException.class, () -> read(singleQuoted));
        assertThat(e).as("validation fails").isNotNull();
        return e.violations();
    }

    @Test
    void readsTheUnitOperationAndMeasure() {
        Meter m = read("{'key':'seats','event_type':'seat','aggregation':'persistent_count','value_path':'$.user_id',"
                + "'persistent':{'operation_path':'op','measure':'active_at_end'}}");
        assertThat(m.aggregation()).isEqualTo(Aggregation.PERSISTENT_COUNT);
        assertThat(m.valuePath()).contains(DataPath.parse("user_id"));
        assertThat(m.persistent()).contains(new PersistentCount(DataPath.parse("op"), PersistentMeasure.ACTIVE_AT_END));
        assertThat(MeterJson.read(MeterJson.write(m), Optional.empty(), 1, FROM)).isEqualTo(m);
        assertThat(MeterJson.write(m).get("persistent").toString())
                .isEqualTo("{\"operation_path\":\"op\",\"measure\":\"active_at_end\"}");
    }

    @Test
    void defaultsToLagosOperationTypeProratedByDay() {
        Meter m = read("{'key':'seats','event_type':'seat','aggregation':'persistent_count','value_path':'user_id'}");
        assertThat(m.persistent()).contains(PersistentCount.DEFAULT);
        assertThat(PersistentCount.DEFAULT.operationPath().text()).isEqualTo("operation_type");
        assertThat(PersistentCount.DEFAULT.measure()).isEqualTo(PersistentMeasure.PRORATED_BY_DAY);
    }

    @Test
    void rejectsPersistentSettingsOnAnotherAggregation() {
        assertThat(violations("{'key':'calls','event_type':'call','aggregation':'count','persistent':{}}"))
                .extracting(FieldViolation::field).containsExactly("persistent");
    }

    @Test
    void rejectsAnUnknownMeasureAndUnknownFields() {
        assertThat(violations("{'key':'s','event_type':'seat','aggregation':'persistent_count','value_path':'u',"
                + "'persistent':{'measure':'max','prorated':true}}"))
                .extracting(FieldViolation::field).containsExactlyInAnyOrder("persistent.measure", "persistent.prorated");
    }

    @Test
    void needsAUnitAndTakesNoExpression() {
        assertThat(violations("{'key':'s','event_type':'seat','aggregation':'persistent_count'}"))
                .extracting(FieldViolation::field).containsExactly("body");
        assertThat(violations("{'key':'s','event_type':'seat','aggregation':'persistent_count','expression':'1'}"))
                .extracting(FieldViolation::field).containsExactly("body");
    }

    @Test
    void aChangedMeasureIsANewDefinition() {
        Meter prorated = read("{'key':'s','event_type':'seat','aggregation':'persistent_count','value_path':'u'}");
        Meter atEnd = read("{'key':'s','event_type':'seat','aggregation':'persistent_count','value_path':'u',"
                + "'persistent':{'measure':'active_at_end'}}");
        assertThat(prorated.sameDefinition(atEnd)).isFalse();
        assertThat(prorated.sameDefinition(prorated.asVersion(2, FROM.plusSeconds(1)))).isTrue();
        assertThat(prorated.asVersion(2, FROM.plusSeconds(1)).persistent()).isEqualTo(prorated.persistent());
    }

    @Test
    void anEventAddsRemovesOrIsRejectedByItsOperation() {
        Meter m = meter("seats").type("seat").of(Aggregation.PERSISTENT_COUNT, "user_id").build();
        MeterCatalog catalog = new MeterCatalog(1, List.of(m));
        Contribution add = only(catalog.evaluate(event("e1", "seat", at("10:00"), "{'user_id':'u1'}")));
        assertThat(add.distinct()).isEqualTo("u1");
        assertThat(add.value()).isEqualByComparingTo(BigDecimal.ONE);
        Contribution explicitAdd = only(catalog.evaluate(event("e2", "seat", at("10:00"),
                "{'user_id':7,'operation_type':'add'}")));
        assertThat(explicitAdd.distinct()).isEqualTo("7");
        assertThat(explicitAdd.value()).isEqualByComparingTo(BigDecimal.ONE);
        Contribution remove = only(catalog.evaluate(event("e3", "seat", at("10:00"),
                "{'user_id':'u1','operation_type':'remove'}")));
        assertThat(remove.value()).isEqualByComparingTo("-1");
        Evaluation bad = catalog.evaluate(event("e4", "seat", at("10:00"), "{'user_id':'u1','operation_type':'delete'}"));
        assertThat(bad).isInstanceOfSatisfying(Evaluation.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(RejectionReason.OPERATION_INVALID));
        Evaluation noUnit = catalog.evaluate(event("e5", "seat", at("10:00"), "{'operation_type':'add'}"));
        assertThat(noUnit).isInstanceOfSatisfying(Evaluation.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(RejectionReason.VALUE_MISSING));
    }

    private static Contribution only(Evaluation e) {
        assertThat(e).isInstanceOf(Evaluation.Contributions.class);
        List<Contribution> c = ((Evaluation.Contributions) e).contributions();
        assertThat(c).hasSize(1);
        return c.get(0);
    }
}

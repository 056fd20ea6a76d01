package dev.tally.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * tally-core is pure: no storage, network, files, messaging or other Tally module, and no binary floating
 * point anywhere money or quantities could pass through (fields, method parameters and results).
 */
class ArchitectureTest {

    private static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.tally.core");
    }

    @Test
    void coreClassesAreImported() {
        assertThat(core.stream().map(JavaClass::getName))
                .contains("dev.tally.core.aggregate.AggregateState", "dev.tally.core.meter.MeterCatalog",
                        "dev.tally.core.event.CloudEventReader")
                .noneMatch(n -> n.endsWith("Test") || n.equals(CoreFixtures.class.getName()));
    }

    @Test
    void coreDependsOnNoInfrastructureNorOtherModules() {
        ArchRule rule = noClasses().that().resideInAPackage("dev.tally.core..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "java.sql..", "javax.sql..", "com.sun.net.httpserver..", "java.net.http..",
                        "org.apache.kafka..", "dev.tally.engine..", "dev.tally.server..", "java.nio.file..")
                .because("tally-core is pure: storage, transport and files belong to the engine and server");
        rule.check(core);
    }

    @Test
    void noFieldOrMethodUsesBinaryFloatingPoint() {
        ArchRule rule = classes().that().resideInAPackage("dev.tally.core..")
                .should(notUseFloatingPointInFieldsOrSignatures())
                .because("quantities and money are exact decimals; a double would silently round them");
        rule.check(core);
    }

    private static final Set<String> FLOATING = Set.of("double", "float", "java.lang.Double", "java.lang.Float");

    private static boolean floating(JavaClass type) {
        JavaClass t = type;
        while (t.isArray()) {
            t = t.getComponentType();
        }
        return FLOATING.contains(t.getName());
    }

    private static ArchCondition<JavaClass> notUseFloatingPointInFieldsOrSignatures() {
        return new ArchCondition<>("not use double, float, Double or Float in fields, parameters or return types") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                for (JavaField f : c.getFields()) {
                    if (floating(f.getRawType())) {
                        events.add(SimpleConditionEvent.violated(f, f.getFullName() + " has type " + f.getRawType().getName()));
                    }
                }
                for (JavaCodeUnit u : c.getCodeUnits()) {
                    if (u instanceof JavaMethod && floating(u.getRawReturnType())) {
                        events.add(SimpleConditionEvent.violated(u, u.getFullName() + " returns " + u.getRawReturnType().getName()));
                    }
                    for (JavaClass p : u.getRawParameterTypes()) {
                        if (floating(p)) {
                            events.add(SimpleConditionEvent.violated(u, u.getFullName() + " takes a " + p.getName()));
                        }
                    }
                }
            }
        };
    }

    /** The condition itself must catch what it forbids, or the rule above proves nothing. */
    @Test
    void floatingPointConditionCatchesDoubles() {
        JavaClasses offenders = new ClassFileImporter().importClasses(UsesDouble.class, ReturnsFloats.class);
        ArchRule rule = classes().should(notUseFloatingPointInFieldsOrSignatures());
        assertThat(rule.evaluate(offenders).getFailureReport().getDetails())
                .hasSize(3)
                .anyMatch(d -> d.contains("UsesDouble.rate"))
                .anyMatch(d -> d.contains("takes a java.lang.Double"))
                .anyMatch(d -> d.contains("returns [F"));
    }

    @SuppressWarnings("unused")
    private static final class UsesDouble {
        private double rate;

        void scale(Double factor) {
        }
    }

    @SuppressWarnings("unused")
    private static final class ReturnsFloats {
        float[] values() {
            return new float[0];
        }
    }
}

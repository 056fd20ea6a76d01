package dev.tally.core.pricing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Money and pricing never hold, take, return or convert to a binary floating-point number: no
 * {@code double}/{@code float} (or boxed) field, parameter or return type, no dependency on
 * {@code Double}/{@code Float}, and no call that turns an exact value into one
 * ({@code doubleValue}, {@code asDouble}, {@code new BigDecimal(double)}, {@code BigDecimal.valueOf(double)}).
 * Bytecode arithmetic on local doubles is not visible here; the calls above are how one would get one.
 */
class NoFloatingPointTest {
    private static final Set<String> FLOATING = Set.of("double", "float", "java.lang.Double", "java.lang.Float");
    private static final Set<String> CONVERSIONS = Set.of("doubleValue", "floatValue", "asDouble", "numberValue");

    @Test
    void moneyAndPricingUseNoBinaryFloatingPoint() {
        JavaClasses core = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.tally.core.money", "dev.tally.core.pricing");

        classes().should(useNoFloatingPoint()).check(core);
    }

    private static ArchCondition<JavaClass> useNoFloatingPoint() {
        return new ArchCondition<>("use no double or float") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                for (JavaField f : c.getFields()) {
                    report(events, c, FLOATING.contains(f.getRawType().getName()), "field " + f.getFullName());
                }
                for (JavaCodeUnit u : c.getCodeUnits()) {
                    report(events, c, FLOATING.contains(u.getRawReturnType().getName()), "return type of " + u.getFullName());
                    u.getRawParameterTypes().forEach(p ->
                            report(events, c, FLOATING.contains(p.getName()), "parameter of " + u.getFullName()));
                }
                c.getDirectDependenciesFromSelf().forEach(d ->
                        report(events, c, FLOATING.contains(d.getTargetClass().getName()), d.getDescription()));
                c.getMethodCallsFromSelf().forEach(call -> {
                    String name = call.getTarget().getName();
                    boolean toFloating = CONVERSIONS.contains(name)
                            || (name.equals("valueOf") && call.getTarget().getOwner().isEquivalentTo(java.math.BigDecimal.class)
                                    && call.getTarget().getRawParameterTypes().stream().anyMatch(p -> FLOATING.contains(p.getName())));
                    report(events, c, toFloating, call.getDescription());
                });
                c.getConstructorCallsFromSelf().forEach(call -> report(events, c,
                        call.getTarget().getRawParameterTypes().stream().anyMatch(p -> FLOATING.contains(p.getName())),
                        call.getDescription()));
            }
        };
    }

    private static void report(ConditionEvents events, JavaClass c, boolean violated, String what) {
        if (violated) {
            events.add(SimpleConditionEvent.violated(c, "floating point in " + what));
        }
    }
}

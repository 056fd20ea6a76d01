package dev.tally.core.billing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;

import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.properties.HasName;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * Billing is pure: no I/O, no clock (every instant is given, nothing calls {@code now()}), and no binary floating
 * point where an amount or a quantity could flow.
 */
class BillingPurityTest {
    private static final JavaClasses BILLING = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tally.core.billing");

    @Test
    void billingDoesNoIo() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("java.io..", "java.nio.file..", "java.net..", "java.sql..", "javax.sql..")
                .check(BILLING);
    }

    @Test
    void billingNeverReadsTheClock() {
        noClasses().should().dependOnClassesThat().areAssignableTo(Clock.class)
                .orShould().callMethodWhere(JavaCall.Predicates.target(HasName.Predicates.name("now")))
                .orShould().callMethodWhere(JavaCall.Predicates.target(HasName.Predicates.name("currentTimeMillis")))
                .check(BILLING);
    }

    @Test
    void billingUsesNoBinaryFloatingPoint() {
        noFields().should().haveRawType(double.class).orShould().haveRawType(float.class)
                .orShould().haveRawType(Double.class).orShould().haveRawType(Float.class).check(BILLING);
        noMethods().should().haveRawReturnType(double.class).orShould().haveRawReturnType(float.class).check(BILLING);
        noClasses().should().dependOnClassesThat().belongToAnyOf(Double.class, Float.class)
                .orShould().callMethodWhere(JavaCall.Predicates.target(HasName.Predicates.name("doubleValue")))
                .orShould().callMethodWhere(JavaCall.Predicates.target(HasName.Predicates.name("floatValue")))
                .orShould().callMethodWhere(JavaCall.Predicates.target(HasName.Predicates.name("asDouble")))
                .check(BILLING);
    }
}

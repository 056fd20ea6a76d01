package dev.tally.core.billing;

import static dev.tally.core.billing.BillingFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tally.core.pricing.GraduatedPrice;
import dev.tally.core.pricing.UnitPrice;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Licensed charges (seats) in a plan's JSON: defaults, both quantity sources, round trip, and every refusal. */
class LicensedChargeJsonTest {

    private static Plan read(String charge) {
        return PlanJson.read(json("{\"key\":\"p\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":[" + charge
                + "]}"), 1);
    }

    private static List<FieldViolation> violations(String charge) {
        return catchThrowableOfType(ValidationException.class, () -> read(charge)).violations();
    }

    @Test
    void readsAnApiQuantityChargeWithItsDefaults() {
        Plan p = read("{\"key\":\"seats\",\"type\":\"licensed\",\"price\":{\"model\":\"unit\",\"unit_price\":\"10\"}}");

        assertThat(p.charges()).singleElement().isEqualTo(new LicensedCharge("seats", "seats",
                new UnitPrice(new java.math.BigDecimal("10")), FeeTiming.IN_ADVANCE, Optional.empty(),
                LicensedCharge.Increase.IMMEDIATE, LicensedCharge.Decrease.CREDIT));
    }

    @Test
    void readsAMeterQuantityChargeBilledInArrearsByDefault() {
        LicensedCharge l = (LicensedCharge) read("{\"key\":\"users\",\"type\":\"licensed\",\"name\":\"Active users\","
                + "\"price\":{\"model\":\"graduated\",\"tiers\":[{\"up_to\":\"10\",\"unit_price\":\"5\"},{\"unit_price\":\"4\"}]},"
                + "\"quantity\":{\"source\":\"meter\",\"meter\":\"active_users\"},\"decrease\":\"none\"}").charges().get(0);

        assertThat(l.meter()).contains("active_users");
        assertThat(l.timing()).isEqualTo(FeeTiming.IN_ARREARS);
        assertThat(l.price()).isInstanceOf(GraduatedPrice.class);
        assertThat(l.decrease()).isEqualTo(LicensedCharge.Decrease.NONE);
    }

    @Test
    void survivesWriteThenRead() {
        Plan p = read("{\"key\":\"seats\",\"type\":\"licensed\",\"name\":\"Seats\",\"timing\":\"in_arrears\","
                + "\"increase\":\"period_end\",\"decrease\":\"none\",\"quantity\":{\"source\":\"api\"},"
                + "\"price\":{\"model\":\"volume\",\"tiers\":[{\"up_to\":\"10\",\"unit_price\":\"10\"},{\"unit_price\":\"8\"}]}}");

        assertThat(PlanJson.read(PlanJson.write(p), 1)).isEqualTo(p);
        assertThat(PlanJson.writeCharge(p.charges().get(0)).get("quantity").toString()).isEqualTo("{\"source\":\"api\"}");
    }

    @Test
    void refusesPerEventPricesMeterQuantitiesInAdvanceAndUnknownValues() {
        assertThat(violations("{\"key\":\"s\",\"type\":\"licensed\",\"price\":{\"model\":\"dynamic\"}}"))
                .extracting(FieldViolation::field).containsExactly("charges[0].price");
        assertThat(violations("{\"key\":\"s\",\"type\":\"licensed\",\"timing\":\"in_advance\","
                + "\"quantity\":{\"source\":\"meter\",\"meter\":\"m\"},\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"}}"))
                .extracting(FieldViolation::field).containsExactly("charges[0].timing");
        assertThat(violations("{\"key\":\"s\",\"type\":\"licensed\",\"increase\":\"later\",\"decrease\":\"maybe\","
                + "\"quantity\":{\"source\":\"ldap\",\"colour\":1},\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"}}"))
                .extracting(FieldViolation::field).containsExactlyInAnyOrder("charges[0].increase", "charges[0].decrease",
                        "charges[0].quantity.source", "charges[0].quantity.colour");
        assertThat(violations("{\"key\":\"s\",\"type\":\"licensed\",\"meter\":\"m\",\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"}}"))
                .extracting(FieldViolation::field).containsExactly("charges[0].meter");
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<LicensedCharge> charges() {
        return net.jqwik.api.Combinators.combine(dev.tally.core.pricing.Fixtures.quantityModels(),
                net.jqwik.api.Arbitraries.of(FeeTiming.class), net.jqwik.api.Arbitraries.of(LicensedCharge.Increase.class),
                net.jqwik.api.Arbitraries.of(LicensedCharge.Decrease.class), net.jqwik.api.Arbitraries.of(true, false))
                .as((price, timing, increase, decrease, meter) -> new LicensedCharge("seats", "Seats", price,
                        meter ? FeeTiming.IN_ARREARS : timing, meter ? Optional.of("active_users") : Optional.empty(),
                        increase, decrease));
    }

    @net.jqwik.api.Property(tries = 300)
    void everyLicensedChargeSurvivesWriteThenRead(@net.jqwik.api.ForAll("charges") LicensedCharge charge) {
        Plan p = new Plan("p", 1, "p", java.util.Currency.getInstance("USD"), BillingInterval.MONTHLY, List.of(charge),
                List.of(), 0);

        assertThat(PlanJson.read(json(PlanJson.write(p).toString()), 1)).isEqualTo(p);
    }
}

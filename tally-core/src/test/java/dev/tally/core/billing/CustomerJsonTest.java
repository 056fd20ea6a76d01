package dev.tally.core.billing;

import static dev.tally.core.billing.BillingFixtures.ACME_JSON;
import static dev.tally.core.billing.BillingFixtures.MAPPER;
import static dev.tally.core.billing.BillingFixtures.acme;
import static dev.tally.core.billing.BillingFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CustomerJsonTest {

    private static List<FieldViolation> violations(String body) {
        return catchThrowableOfType(ValidationException.class, () -> CustomerJson.read(json(body))).violations();
    }

    @Test
    void readsTheExampleCustomer() {
        assertThat(CustomerJson.read(json(ACME_JSON))).isEqualTo(acme());
    }

    @Test
    void writingThenReadingGivesBackTheSameCustomerAlsoThroughText() throws Exception {
        Customer c = acme();

        assertThat(CustomerJson.read(CustomerJson.write(c))).isEqualTo(c);
        assertThat(CustomerJson.read(MAPPER.readTree(MAPPER.writeValueAsString(CustomerJson.write(c))))).isEqualTo(c);
        assertThat(CustomerJson.write(c).get("timezone").textValue()).isEqualTo("America/Los_Angeles");
    }

    @Test
    void defaultsTheNameToTheExternalIdAndTheZoneToUtc() {
        Customer c = CustomerJson.read(json("{\"external_id\":\"cust_42\",\"currency\":\"JPY\"}"));

        assertThat(c.name()).isEqualTo("cust_42");
        assertThat(c.timezone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(c.email()).isEmpty();
        assertThat(c.billingAddress()).isEmpty();
        assertThat(c.taxRates()).isEmpty();
        assertThat(CustomerJson.write(c).get("email").isNull()).isTrue();
        assertThat(CustomerJson.read(CustomerJson.write(c))).isEqualTo(c);
    }

    @Test
    void reportsEveryInvalidFieldWithItsPath() {
        List<FieldViolation> v = violations("""
                {"external_id":" ","timezone":"Mars/Olympus","currency":"XXX","email":"not-an-email","plan":"pro",
                 "billing_address":{"line1":"1 Main St","country":"usa","zip":"90210","city":3},
                 "tax_rates":[{"name":"","percent":"7"},{"name":"VAT","percent":7.5}]}
                """);

        assertThat(v).extracting(FieldViolation::field).containsExactlyInAnyOrder(
                "plan", "external_id", "timezone", "currency", "email", "billing_address.country",
                "billing_address.zip", "billing_address.city", "tax_rates[0].name", "tax_rates[1].percent");
        assertThat(v).contains(
                new FieldViolation("plan", "is not a known field"),
                new FieldViolation("external_id", "must not be blank"),
                new FieldViolation("timezone", "must be an IANA time zone like \"America/Los_Angeles\", got \"Mars/Olympus\""),
                new FieldViolation("currency", "has no minor unit and cannot be billed: \"XXX\""),
                new FieldViolation("email", "must be an email address like \"billing@example.com\""),
                new FieldViolation("billing_address.country", "must be an upper-case ISO 3166 alpha-2 country code like \"US\", got \"usa\""),
                new FieldViolation("billing_address.zip", "is not a known field (line1, line2, city, state, postal_code, country)"),
                new FieldViolation("billing_address.city", "must be a string"),
                new FieldViolation("tax_rates[0].name", "must not be blank"));
    }

    @Test
    void requiresTheExternalIdAndTheCurrency() {
        assertThat(violations("{}")).containsExactlyInAnyOrder(
                new FieldViolation("external_id", "is required"),
                new FieldViolation("currency", "is required"));
    }

    @Test
    void acceptsFixedOffsetZones() {
        Customer c = CustomerJson.read(json("{\"external_id\":\"a\",\"currency\":\"INR\",\"timezone\":\"+05:30\"}"));

        assertThat(c.timezone()).isEqualTo(ZoneId.of("+05:30"));
    }

    @Test
    void theRecordRefusesWhatTheJsonRefuses() {
        assertThatThrownBy(() -> new Customer("acme", "Acme", ZoneId.of("UTC"), BillingFixtures.USD, Optional.of("x"),
                Map.of(), List.of())).hasMessage("email must be an email address like \"billing@example.com\"");
        assertThatThrownBy(() -> new Customer("a\nb", "Acme", ZoneId.of("UTC"), BillingFixtures.USD, Optional.empty(),
                Map.of(), List.of())).hasMessage("external_id must not contain control characters");
        assertThatThrownBy(() -> new Customer("acme", "Acme", ZoneId.of("UTC"), BillingFixtures.USD, Optional.empty(),
                Map.of("country", "XX"), List.of())).isInstanceOf(InvalidBillingException.class)
                .extracting(e -> ((InvalidBillingException) e).field()).isEqualTo("billing_address.country");
    }

    @Test
    void readsAndWritesTaxIdsAndRefusesBadOnes() {
        Customer c = CustomerJson.read(json("{\"external_id\":\"acme\",\"currency\":\"EUR\","
                + "\"tax_ids\":[{\"type\":\"eu_vat\",\"value\":\"DE123456789\"}]}"));
        assertThat(c.taxIds()).containsExactly(new TaxId("eu_vat", "DE123456789"));
        assertThat(CustomerJson.read(CustomerJson.write(c))).isEqualTo(c);
        assertThat(CustomerJson.read(json("{\"external_id\":\"x\",\"currency\":\"EUR\"}")).taxIds()).isEmpty();

        assertThat(violations("{\"external_id\":\"x\",\"currency\":\"EUR\",\"tax_ids\":[{\"type\":\"vat\",\"value\":\"1\"},"
                + "{\"type\":\"eu_vat\",\"value\":\"a\\u0000b\"}]}")).extracting(FieldViolation::field)
                .containsExactly("tax_ids[0].type", "tax_ids[1].value");
        assertThatThrownBy(() -> new TaxId("eu_vat", "x".repeat(65))).isInstanceOf(InvalidBillingException.class);
        assertThatThrownBy(() -> new TaxId("nope", "1")).isInstanceOf(InvalidBillingException.class);
    }
}

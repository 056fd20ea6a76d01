package dev.tally.core.pricing;

import static dev.tally.core.pricing.Fixtures.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PriceModelJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static PriceModel read(String text) {
        return PriceModelJson.read(json(text));
    }

    private static InvalidPriceException readError(String text) {
        try {
            read(text);
        } catch (InvalidPriceException e) {
            return e;
        }
        throw new AssertionError("expected an InvalidPriceException for " + text);
    }

    /** The examples of API.md, verbatim: each reads and writes back to the same JSON. */
    @ParameterizedTest
    @ValueSource(strings = {
            "{'model':'unit','unit_price':'0.01'}",
            "{'model':'package','package_size':'100','package_price':'5','free_units':'0','rounding':'up'}",
            "{'model':'graduated','tiers':[{'up_to':'100','unit_price':'1','flat_fee':'0'},{'up_to':null,'unit_price':'0.5','flat_fee':'10'}]}",
            "{'model':'volume','tiers':[{'up_to':'100','unit_price':'1','flat_fee':'0'},{'up_to':null,'unit_price':'0.5','flat_fee':'10'}]}",
            "{'model':'percentage','rate':'1.5','fixed_fee':'0.10','free_events':1,'free_amount':'0','min_per_event':'0.50','max_per_event':'20'}",
            "{'model':'graduated_percentage','tiers':[{'up_to':'1000','rate':'1','flat_fee':'200'},{'up_to':null,'rate':'2','flat_fee':'300'}]}",
            "{'model':'dynamic'}"})
    void readsAndWritesTheApiShapesUnchanged(String example) {
        assertThat(PriceModelJson.write(read(example))).isEqualTo(json(example));
    }

    @Test
    void readsTheApiPercentageExampleIntoItsRecord() {
        assertThat(read("{'model':'percentage','rate':'1.5','fixed_fee':'0.10','free_events':1,'free_amount':'0',"
                + "'min_per_event':'0.50','max_per_event':'20'}"))
                .isEqualTo(new PercentagePrice(d("1.5"), d("0.10"), 1, d("0"), Optional.of(d("0.50")), Optional.of(d("20"))));
    }

    @Test
    void missingOptionalFieldsTakeTheirDefaults() {
        assertThat(read("{'model':'package','package_size':'100','package_price':'5'}"))
                .isEqualTo(PackagePrice.of(d("100"), d("5")));
        assertThat(read("{'model':'percentage','rate':'2'}")).isEqualTo(PercentagePrice.of(d("2")));
        assertThat(read("{'model':'graduated','tiers':[{'up_to':'10','flat_fee':'5'},{'unit_price':'1'}]}"))
                .isEqualTo(new GraduatedPrice(List.of(Tier.upTo(d("10"), d("0"), d("5")), Tier.open(d("1"), d("0")))));
    }

    @Test
    void acceptsIntegerJsonNumbersForDecimals() {
        assertThat(read("{'model':'unit','unit_price':3}")).isEqualTo(new UnitPrice(d("3")));
    }

    @Test
    void refusesJsonFloatsThatWereParsedAsDoubles() {
        assertThat(readError("{'model':'unit','unit_price':0.1}").getMessage())
                .startsWith("unit_price must be a decimal string like \"1.5\"");
    }

    @Test
    void acceptsJsonFloatsExactlyFromAMapperThatKeepsThemAsBigDecimal() throws JsonProcessingException {
        JsonNode node = PriceModelJson.exactDecimalMapper().readTree("{\"model\":\"unit\",\"unit_price\":0.1}");

        assertThat(((UnitPrice) PriceModelJson.read(node)).unitPrice()).isEqualByComparingTo("0.1");
    }

    @Test
    void namesTheTierWhoseBoundIsOutOfOrder() {
        InvalidPriceException e = readError("{'model':'graduated','tiers':[{'up_to':'100','unit_price':'1'},"
                + "{'up_to':'50','unit_price':'1'},{'up_to':null,'unit_price':'1'}]}");

        assertThat(e.field()).isEqualTo("tiers[1].up_to");
        assertThat(e.getMessage()).isEqualTo("tiers[1].up_to must be greater than tiers[0].up_to");
    }

    @Test
    void namesTheFieldOfAnInvalidTierValue() {
        assertThat(readError("{'model':'volume','tiers':[{'up_to':null,'unit_price':'-1'}]}").field())
                .isEqualTo("tiers[0].unit_price");
        assertThat(readError("{'model':'volume','tiers':[{'up_to':'x','unit_price':'1'},{'unit_price':'1'}]}").field())
                .isEqualTo("tiers[0].up_to");
        assertThat(readError("{'model':'volume','tiers':[{'up_to':null}]}").getMessage())
                .isEqualTo("tiers[0] must have a unit_price, a flat_fee or both");
        assertThat(readError("{'model':'graduated_percentage','tiers':[{'up_to':null,'flat_fee':'1'}]}").field())
                .isEqualTo("tiers[0].rate");
    }

    @Test
    void refusesUnknownFieldsSoATypoNeverBecomesADefault() {
        assertThat(readError("{'model':'percentage','rate':'1','fixed_fe':'0.30'}").getMessage())
                .isEqualTo("fixed_fe is not a known field");
        assertThat(readError("{'model':'graduated','tiers':[{'up_to':null,'unit_price':'1','flatfee':'2'}]}").field())
                .isEqualTo("tiers[0].flatfee");
    }

    @Test
    void refusesAnUnknownOrMissingModel() {
        assertThat(readError("{'model':'tiered'}").getMessage()).startsWith("model must be one of unit, package");
        assertThat(readError("{'unit_price':'1'}").getMessage()).isEqualTo("model is required");
    }

    @Test
    void refusesMalformedAndOversizedDecimals() {
        assertThat(readError("{'model':'unit','unit_price':'1,5'}").field()).isEqualTo("unit_price");
        assertThat(readError("{'model':'unit','unit_price':'1e40'}").getMessage()).contains("too many digits");
        assertThat(readError("{'model':'unit','unit_price':true}").field()).isEqualTo("unit_price");
    }

    @Test
    void freeEventsMustBeAWholeNumber() {
        assertThat(readError("{'model':'percentage','rate':'1','free_events':'1.5'}").getMessage())
                .isEqualTo("free_events must be a whole number, got 1.5");
        assertThat(((PercentagePrice) read("{'model':'percentage','rate':'1','free_events':'2'}")).freeEvents()).isEqualTo(2);
    }

    @Test
    void refusesAnUnknownPackageRounding() {
        assertThat(readError("{'model':'package','package_size':'1','package_price':'1','rounding':'nearest'}").getMessage())
                .isEqualTo("rounding must be \"up\" or \"down\"");
    }
}

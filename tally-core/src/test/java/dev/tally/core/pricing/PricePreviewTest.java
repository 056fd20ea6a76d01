package dev.tally.core.pricing;

import static dev.tally.core.pricing.PriceModelJsonTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class PricePreviewTest {

    private static JsonNode preview(String request) {
        return PricePreview.preview(json(request));
    }

    private static PricingException previewError(String request) {
        try {
            preview(request);
        } catch (PricingException e) {
            return e;
        }
        throw new AssertionError("expected a PricingException for " + request);
    }

    private static final String GRADUATED = "{'model':'graduated','tiers':[{'up_to':'100','unit_price':'1','flat_fee':'0'},"
            + "{'up_to':null,'unit_price':'0.5','flat_fee':'10'}]}";

    @Test
    void previewsAGraduatedPriceLineByLine() {
        JsonNode r = preview("{'currency':'USD','price':" + GRADUATED + ",'quantity':'250'}");

        assertThat(r).isEqualTo(json("{'currency':'USD','amount':'185.00','lines':["
                + "{'description':'Tier 1 (up to 100)','quantity':'100','unit_price':'1','amount':'100.00'},"
                + "{'description':'Tier 2 (over 100)','quantity':'150','unit_price':'0.5','amount':'75.00'},"
                + "{'description':'Tier 2 flat fee','quantity':'1','unit_price':'10','amount':'10.00'}]}"));
    }

    @Test
    void roundsEachLineOnceAndTheAmountIsTheSumOfTheRoundedLines() {
        // two lines of 0.005 each round to 0.01: the amount is 0.02, not round(0.01) = 0.01
        JsonNode r = preview("{'currency':'USD','price':{'model':'graduated','tiers':[{'up_to':'1','unit_price':'0.005'},"
                + "{'up_to':null,'unit_price':'0.005'}]},'quantity':'2'}");

        assertThat(r.get("lines").get(0).get("amount").asText()).isEqualTo("0.01");
        assertThat(r.get("lines").get(1).get("amount").asText()).isEqualTo("0.01");
        assertThat(r.get("amount").asText()).isEqualTo("0.02");
    }

    @Test
    void roundsYenToWholeYen() {
        JsonNode r = preview("{'currency':'JPY','price':{'model':'unit','unit_price':'1.5'},'quantity':'3'}");

        assertThat(r.get("amount").asText()).isEqualTo("5");
        assertThat(r.get("lines").get(0).get("unit_price").asText()).isEqualTo("1.5");
    }

    @Test
    void roundsBahrainiDinarToThreeDigits() {
        JsonNode r = preview("{'currency':'BHD','price':{'model':'unit','unit_price':'0.0015'},'quantity':'333'}");

        assertThat(r.get("amount").asText()).isEqualTo("0.500");
    }

    @Test
    void previewsAPerEventPriceFromEvents() {
        JsonNode r = preview("{'currency':'USD','price':{'model':'percentage','rate':'1.5','fixed_fee':'0.10','free_events':1,"
                + "'free_amount':'0','min_per_event':'0.50','max_per_event':'20'},"
                + "'events':[{'value':'100'},{'value':'10'},{'value':'100'},{'value':'2000'}]}");

        assertThat(r.get("amount").asText()).isEqualTo("22.10");
    }

    @Test
    void previewsBothFreeAllowancesOfAPercentagePriceAsLagoDoes() {
        String six = "'events':[{'value':'300'},{'value':'300'},{'value':'300'},{'value':'300'},{'value':'300'},{'value':'300'}]";
        JsonNode amountFirst = preview("{'currency':'USD','price':{'model':'percentage','rate':'2','fixed_fee':'0.10',"
                + "'free_events':5,'free_amount':'1000'}," + six + "}");
        JsonNode eventsFirst = preview("{'currency':'USD','price':{'model':'percentage','rate':'2','fixed_fee':'0.10',"
                + "'free_events':2,'free_amount':'1000'}," + six + "}");

        assertThat(amountFirst.get("amount").asText()).isEqualTo("16.30");
        assertThat(eventsFirst.get("amount").asText()).isEqualTo("24.40");
    }

    @Test
    void appliesIncludedQuantityMinimumAndMaximum() {
        assertThat(preview("{'currency':'USD','price':{'model':'unit','unit_price':'1'},'quantity':'150',"
                + "'included_quantity':'100'}").get("amount").asText()).isEqualTo("50.00");
        assertThat(preview("{'currency':'USD','price':{'model':'unit','unit_price':'1'},'quantity':'5',"
                + "'minimum_amount':'20'}").get("amount").asText()).isEqualTo("20.00");
        assertThat(preview("{'currency':'USD','price':{'model':'unit','unit_price':'1'},'quantity':'500',"
                + "'maximum_amount':'20'}").get("amount").asText()).isEqualTo("20.00");
    }

    @Test
    void previewsNoEventsAsZero() {
        JsonNode r = preview("{'currency':'EUR','price':{'model':'dynamic'},'events':[]}");

        assertThat(r).isEqualTo(json("{'currency':'EUR','amount':'0.00','lines':[]}"));
    }

    @Test
    void refusesAnInvalidCurrency() {
        for (String code : new String[] {"ZZZ", "usd", "US", "XXX"}) {
            PricingException e = previewError("{'currency':'" + code + "','price':{'model':'dynamic'},'events':[]}");
            assertThat(e).isInstanceOf(InvalidPriceException.class);
            assertThat(e.field()).isEqualTo("currency");
        }
    }

    @Test
    void namesPriceErrorsUnderPrice() {
        PricingException e = previewError("{'currency':'USD','price':{'model':'volume','tiers':[{'up_to':'5','unit_price':'1'},"
                + "{'up_to':'5','unit_price':'1'},{'up_to':null,'unit_price':'1'}]},'quantity':'1'}");

        assertThat(e).isInstanceOf(InvalidPriceException.class);
        assertThat(e.getMessage()).isEqualTo("price.tiers[1].up_to must be greater than tiers[0].up_to");
        assertThat(previewError("{'currency':'USD','quantity':'1'}").getMessage()).isEqualTo("price is required");
    }

    @Test
    void namesUsageErrors() {
        assertThat(previewError("{'currency':'USD','price':{'model':'unit','unit_price':'1'},'quantity':'-1'}"))
                .isInstanceOf(InvalidUsageException.class).extracting(PricingException::field).isEqualTo("quantity");
        assertThat(previewError("{'currency':'USD','price':{'model':'unit','unit_price':'1'},'quantity':'lots'}"))
                .isInstanceOf(InvalidUsageException.class).extracting(PricingException::field).isEqualTo("quantity");
        assertThat(previewError("{'currency':'USD','price':{'model':'dynamic'},'events':[{'value':'1'},{'value':'-1'}]}"))
                .isInstanceOf(InvalidUsageException.class).extracting(PricingException::field).isEqualTo("events[1].value");
        assertThat(previewError("{'currency':'USD','price':{'model':'dynamic'},'quantity':'1'}").getMessage())
                .contains("rated per event");
        assertThat(previewError("{'currency':'USD','price':{'model':'unit','unit_price':'1'}}").getMessage())
                .isEqualTo("quantity is required for a unit price");
    }

    @Test
    void refusesUnknownRequestFields() {
        assertThatThrownBy(() -> preview("{'currency':'USD','price':{'model':'unit','unit_price':'1'},'quantity':'1','qty':'2'}"))
                .isInstanceOf(InvalidPriceException.class).hasMessage("qty is not a known field");
    }
}

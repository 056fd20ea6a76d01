package dev.tally.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.money.Money;
import dev.tally.core.money.RoundingRule;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;

/** Invariants of rating that must hold for every valid price and every non-negative usage. */
class PricingPropertiesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Property(tries = 500)
    void amountIsNeverNegativeForNonNegativeUsage(@ForAll("modelsWithUsage") Tuple2<PriceModel, Usage> mu) {
        Rating r = Rater.rate(mu.get1(), mu.get2());

        assertThat(r.amount()).isGreaterThanOrEqualTo(BigDecimal.ZERO);
        assertThat(r.lines()).allSatisfy(l -> assertThat(l.amount()).isGreaterThanOrEqualTo(BigDecimal.ZERO));
    }

    @Property(tries = 500)
    void everyLineIsQuantityTimesUnitPriceAndTheAmountIsTheirSum(@ForAll("modelsWithUsage") Tuple2<PriceModel, Usage> mu) {
        Rating r = Rater.rate(mu.get1(), mu.get2());

        BigDecimal sum = BigDecimal.ZERO;
        for (RatedLine l : r.lines()) {
            assertThat(l.amount()).isEqualByComparingTo(l.quantity().multiply(l.unitPrice()));
            sum = sum.add(l.amount());
        }
        assertThat(r.amount()).isEqualByComparingTo(sum);
    }

    @Property(tries = 500)
    void unitPackageAndGraduatedNeverCostLessForMoreUsage(@ForAll("monotonicModels") PriceModel model,
            @ForAll("quantities") BigDecimal a, @ForAll("quantities") BigDecimal b) {
        BigDecimal less = a.min(b);
        BigDecimal more = a.max(b);

        assertThat(Rater.rate(model, more).amount()).isGreaterThanOrEqualTo(Rater.rate(model, less).amount());
    }

    @Property(tries = 500)
    void graduatedNeverExceedsAllUnitsAtTheHighestTierPricePlusEveryFlatFee(@ForAll("tiers") List<Tier> tiers,
            @ForAll("quantities") BigDecimal q) {
        BigDecimal highest = tiers.stream().map(Tier::unitPrice).reduce(BigDecimal.ZERO, BigDecimal::max);
        BigDecimal flatFees = tiers.stream().map(Tier::flatFee).reduce(BigDecimal.ZERO, BigDecimal::add);

        assertThat(Rater.rate(new GraduatedPrice(tiers), q).amount())
                .isLessThanOrEqualTo(q.multiply(highest).add(flatFees));
    }

    @Property(tries = 500)
    void withDecreasingPricesGraduatedNeverExceedsVolumeAtTheTopTierPrice(@ForAll("decreasingTiers") List<Tier> tiers,
            @ForAll("quantities") BigDecimal q) {
        // "volume at the top tier": every unit at the first (highest) tier's price, plus the flat fees of the tiers entered
        Rating graduated = Rater.rate(new GraduatedPrice(tiers), q);
        int entered = (int) graduated.lines().stream().filter(l -> !l.description().endsWith("flat fee")).count();
        BigDecimal flatFeesEntered = tiers.subList(0, entered).stream().map(Tier::flatFee).reduce(BigDecimal.ZERO, BigDecimal::add);

        assertThat(graduated.amount()).isLessThanOrEqualTo(q.multiply(tiers.get(0).unitPrice()).add(flatFeesEntered));
    }

    @Property(tries = 500)
    void withDecreasingPricesVolumeNeverExceedsGraduated(@ForAll("decreasingTiers") List<Tier> tiers,
            @ForAll("quantities") BigDecimal q) {
        assertThat(Rater.rate(new VolumePrice(tiers), q).amount())
                .isLessThanOrEqualTo(Rater.rate(new GraduatedPrice(tiers), q).amount());
    }

    @Property(tries = 1000)
    void splittingAQuantityIntoMoreLinesMovesTheRoundedTotalByAtMostOneMinorUnitPerExtraLine(
            @ForAll("prices") BigDecimal unitPrice, @ForAll("parts") List<BigDecimal> parts,
            @ForAll("currencies") Currency currency) {
        UnitPrice price = new UnitPrice(unitPrice);
        BigDecimal whole = parts.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        Money together = money(Rater.rate(price, whole).amount(), currency).rounded();
        Money split = Money.sum(currency, parts.stream().map(p -> money(Rater.rate(price, p).amount(), currency).rounded()).toList());

        BigDecimal minorUnit = BigDecimal.ONE.movePointLeft(RoundingRule.minorUnitDigits(currency));
        assertThat(split.minus(together).amount().abs())
                .isLessThanOrEqualTo(minorUnit.multiply(BigDecimal.valueOf(parts.size() - 1L)));
    }

    @Property(tries = 300)
    void previewAmountIsAlwaysTheSumOfItsRoundedLines(@ForAll("modelsWithUsage") Tuple2<PriceModel, Usage> mu,
            @ForAll("currencies") Currency currency) {
        JsonNode response = PricePreview.preview(previewRequest(mu.get1(), mu.get2(), currency));

        int digits = RoundingRule.minorUnitDigits(currency);
        BigDecimal sum = BigDecimal.ZERO;
        for (JsonNode line : response.get("lines")) {
            BigDecimal amount = new BigDecimal(line.get("amount").asText());
            assertThat(amount.scale()).isEqualTo(digits);
            sum = sum.add(amount);
        }
        assertThat(new BigDecimal(response.get("amount").asText())).isEqualByComparingTo(sum);
    }

    @Property(tries = 300)
    void aChargeRoundedTotalStaysWithinItsRoundedMinimumAndMaximum(@ForAll("modelsWithUsage") Tuple2<PriceModel, Usage> mu,
            @ForAll("currencies") Currency currency, @ForAll("bounds") Tuple2<BigDecimal, BigDecimal> bounds) {
        ChargePricing pricing = ChargePricing.of(mu.get1()).withMinimumAmount(bounds.get1()).withMaximumAmount(bounds.get2());

        Money total = ChargeRater.rate(pricing, mu.get2(), currency).roundedTotal(currency);

        assertThat(total.amount()).isBetween(RoundingRule.round(bounds.get1(), currency), RoundingRule.round(bounds.get2(), currency));
    }

    @Property(tries = 500)
    void writingThenReadingJsonGivesBackTheSameModel(@ForAll("models") PriceModel model) throws Exception {
        assertThat(PriceModelJson.read(PriceModelJson.write(model))).isEqualTo(model);
        String text = MAPPER.writeValueAsString(PriceModelJson.write(model));
        assertThat(PriceModelJson.read(MAPPER.readTree(text))).isEqualTo(model);
    }

    private static Money money(BigDecimal amount, Currency currency) {
        return new Money(amount, currency);
    }

    private static ObjectNode previewRequest(PriceModel model, Usage usage, Currency currency) {
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put("currency", currency.getCurrencyCode());
        request.set("price", PriceModelJson.write(model));
        switch (usage) {
            case Usage.Quantity q -> request.put("quantity", q.value().toPlainString());
            case Usage.Events e -> {
                ArrayNode events = request.putArray("events");
                e.values().forEach(v -> events.addObject().put("value", v.toPlainString()));
            }
        }
        return request;
    }

    // ---- generators (all from Fixtures) ------------------------------------------------------------

    @Provide
    Arbitrary<Tuple2<PriceModel, Usage>> modelsWithUsage() {
        return Fixtures.priceModels().flatMap(m -> Fixtures.usageFor(m).map(u -> Tuple.of(m, u)));
    }

    @Provide
    Arbitrary<PriceModel> models() {
        return Fixtures.priceModels();
    }

    @Provide
    Arbitrary<PriceModel> monotonicModels() {
        return Arbitraries.oneOf(Fixtures.prices().map(UnitPrice::new), Fixtures.packagePrices(),
                Fixtures.tiers().map(GraduatedPrice::new));
    }

    @Provide
    Arbitrary<BigDecimal> quantities() {
        return Fixtures.quantities();
    }

    @Provide
    Arbitrary<BigDecimal> prices() {
        return Fixtures.prices();
    }

    @Provide
    Arbitrary<List<Tier>> tiers() {
        return Fixtures.tiers();
    }

    @Provide
    Arbitrary<List<Tier>> decreasingTiers() {
        return Fixtures.decreasingTiers();
    }

    @Provide
    Arbitrary<Currency> currencies() {
        return Fixtures.currencies();
    }

    @Provide
    Arbitrary<List<BigDecimal>> parts() {
        return Fixtures.decimals("1000", 3).list().ofMinSize(2).ofMaxSize(5);
    }

    @Provide
    Arbitrary<Tuple2<BigDecimal, BigDecimal>> bounds() {
        return Combinators.combine(Fixtures.decimals("500", 3), Fixtures.decimals("500", 3))
                .as((a, b) -> Tuple.of(a.min(b), a.max(b)));
    }

}

package dev.tally.core.pricing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * The one place for test fixtures of money and pricing: currencies, decimal shorthand, the example
 * prices used by the example tests, and the jqwik generators of valid prices and usage.
 */
public final class Fixtures {
    public static final Currency USD = Currency.getInstance("USD");
    public static final Currency EUR = Currency.getInstance("EUR");
    /** Zero minor-unit digits. */
    public static final Currency JPY = Currency.getInstance("JPY");
    /** Three minor-unit digits. */
    public static final Currency BHD = Currency.getInstance("BHD");

    private Fixtures() {
    }

    /** A decimal from its exact text. */
    public static BigDecimal d(String text) {
        return new BigDecimal(text);
    }

    public static List<BigDecimal> ds(String... texts) {
        return java.util.Arrays.stream(texts).map(BigDecimal::new).toList();
    }

    public static Tier tier(String upTo, String unitPrice, String flatFee) {
        return Tier.upTo(d(upTo), d(unitPrice), d(flatFee));
    }

    public static Tier openTier(String unitPrice, String flatFee) {
        return Tier.open(d(unitPrice), d(flatFee));
    }

    /** The API.md example: 1 per unit up to 100, then 0.5 per unit plus a flat 10 for entering tier 2. */
    public static GraduatedPrice apiGraduated() {
        return new GraduatedPrice(List.of(tier("100", "1", "0"), openTier("0.5", "10")));
    }

    /** Three tiers with a flat fee on the first, to exercise zero usage and boundaries. */
    public static List<Tier> threeTiers() {
        return List.of(tier("100", "1", "5"), tier("200", "0.5", "10"), openTier("0.25", "20"));
    }

    /** The API.md / Lago example: 1% up to 1000 (+200), then 2% (+300). */
    public static GraduatedPercentagePrice apiGraduatedPercentage() {
        return new GraduatedPercentagePrice(List.of(
                PercentTier.upTo(d("1000"), d("1"), d("200")),
                PercentTier.upTo(d("10000"), d("2"), d("300")),
                PercentTier.open(d("3"), d("400"))));
    }

    /** The API.md example: 1.5% + 0.10 per event, first event free, each event between 0.50 and 20. */
    public static PercentagePrice apiPercentage() {
        return new PercentagePrice(d("1.5"), d("0.10"), 1, d("0"), Optional.of(d("0.50")), Optional.of(d("20")));
    }

    // ---- jqwik generators -------------------------------------------------------------------------

    /** Non-negative decimals in [0, max] with 0 to {@code maxScale} fraction digits. */
    public static Arbitrary<BigDecimal> decimals(String max, int maxScale) {
        return Arbitraries.integers().between(0, maxScale)
                .flatMap(scale -> Arbitraries.bigDecimals().between(BigDecimal.ZERO, d(max)).ofScale(scale));
    }

    public static Arbitrary<BigDecimal> quantities() {
        return Arbitraries.oneOf(decimals("100000", 3), decimals("300", 0), Arbitraries.just(BigDecimal.ZERO));
    }

    public static Arbitrary<BigDecimal> prices() {
        return decimals("50", 6);
    }

    public static Arbitrary<Currency> currencies() {
        return Arbitraries.of(USD, JPY, BHD, EUR);
    }

    /** Strictly increasing bounds: a first bound >= 0, then positive steps. */
    public static Arbitrary<List<BigDecimal>> bounds(int count) {
        Arbitrary<BigDecimal> first = Arbitraries.oneOf(Arbitraries.just(BigDecimal.ZERO), decimals("500", 2));
        Arbitrary<List<BigDecimal>> steps = decimals("500", 2).filter(s -> s.signum() > 0).list().ofSize(Math.max(0, count - 1));
        return Combinators.combine(first, steps).as((f, st) -> {
            List<BigDecimal> out = new ArrayList<>();
            BigDecimal b = f;
            out.add(b);
            for (BigDecimal s : st) {
                b = b.add(s);
                out.add(b);
            }
            return out;
        });
    }

    public static Arbitrary<List<Tier>> tiers() {
        return tiers(prices());
    }

    /** Valid tiers (1 to 5, last open) with unit prices drawn from {@code unitPrices}. */
    public static Arbitrary<List<Tier>> tiers(Arbitrary<BigDecimal> unitPrices) {
        return Arbitraries.integers().between(1, 5).flatMap(n -> Combinators.combine(
                bounds(n - 1),
                unitPrices.list().ofSize(n),
                Arbitraries.oneOf(Arbitraries.just(BigDecimal.ZERO), decimals("100", 2)).list().ofSize(n))
                .as((bounds, unit, flat) -> {
                    List<Tier> tiers = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        Optional<BigDecimal> upTo = i < n - 1 ? Optional.of(bounds.get(i)) : Optional.empty();
                        tiers.add(new Tier(upTo, unit.get(i), flat.get(i)));
                    }
                    return tiers;
                }));
    }

    /** Tiers whose unit prices never increase from one tier to the next (a volume discount). */
    public static Arbitrary<List<Tier>> decreasingTiers() {
        return tiers().map(ts -> {
            List<BigDecimal> sorted = ts.stream().map(Tier::unitPrice).sorted(java.util.Comparator.reverseOrder()).toList();
            List<Tier> out = new ArrayList<>();
            for (int i = 0; i < ts.size(); i++) {
                out.add(new Tier(ts.get(i).upTo(), sorted.get(i), ts.get(i).flatFee()));
            }
            return out;
        });
    }

    public static Arbitrary<PackagePrice> packagePrices() {
        return Combinators.combine(decimals("500", 2).filter(s -> s.signum() > 0), prices(), decimals("200", 1),
                Arbitraries.of(PackageRounding.class)).as(PackagePrice::new);
    }

    public static Arbitrary<PercentagePrice> percentagePrices() {
        Arbitrary<Optional<BigDecimal>> bound = decimals("30", 2).optional(0.5);
        return Combinators.combine(decimals("10", 3), decimals("1", 2), Arbitraries.integers().between(0, 3),
                decimals("200", 2), bound, bound)
                .filter((rate, fee, freeEvents, freeAmount, min, max) ->
                        min.isEmpty() || max.isEmpty() || min.get().compareTo(max.get()) <= 0)
                .as(PercentagePrice::new);
    }

    public static Arbitrary<GraduatedPercentagePrice> graduatedPercentagePrices() {
        return tiers(decimals("10", 3)).map(ts -> new GraduatedPercentagePrice(ts.stream()
                .map(t -> new PercentTier(t.upTo(), t.unitPrice(), t.flatFee())).toList()));
    }

    public static Arbitrary<PriceModel> quantityModels() {
        return Arbitraries.oneOf(
                prices().map(UnitPrice::new),
                packagePrices(),
                tiers().map(GraduatedPrice::new),
                tiers().map(VolumePrice::new));
    }

    public static Arbitrary<PriceModel> eventModels() {
        return Arbitraries.oneOf(percentagePrices(), graduatedPercentagePrices(), Arbitraries.just(new DynamicPrice()));
    }

    public static Arbitrary<PriceModel> priceModels() {
        return Arbitraries.oneOf(quantityModels(), eventModels());
    }

    public static Arbitrary<List<BigDecimal>> eventValues() {
        return decimals("2000", 2).list().ofMaxSize(12);
    }

    /** Usage that fits the model: a quantity for quantity models, event values for per-event models. */
    public static Arbitrary<Usage> usageFor(PriceModel model) {
        return model.ratedPerEvent() ? eventValues().map(Usage::events) : quantities().map(Usage::quantity);
    }
}

package dev.tally.core.pricing;

import static dev.tally.core.pricing.Fixtures.d;
import static dev.tally.core.pricing.Fixtures.openTier;
import static dev.tally.core.pricing.Fixtures.tier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Tiers over blocks (Kill Bill's tiered blocks): the period quantity rounded up to whole blocks, then the tiers. */
class BlockTiersTest {
    private static final ObjectMapper MAPPER = PriceModelJson.exactDecimalMapper();

    /** 2 per block of 1000 up to 10 blocks, then 1 per block; a flat 5 on entering tier 2. */
    static GraduatedPrice graduatedBlocks() {
        return new GraduatedPrice(List.of(tier("10", "2", "0"), openTier("1", "5")), Optional.of(d("1000")));
    }

    static VolumePrice volumeBlocks() {
        return new VolumePrice(List.of(tier("10", "2", "0"), openTier("1", "5")), Optional.of(d("1000")));
    }

    @Test
    void graduatedBlocksRoundThePeriodQuantityUpToWholeBlocks() {
        // 12 345 units -> ceil(12.345) = 13 blocks: 10 x 2 + 3 x 1 + 5 flat = 28
        Rating r = Rater.rate(graduatedBlocks(), Usage.quantity(d("12345")));
        assertThat(r.amount()).isEqualByComparingTo("28");
        assertThat(r.lines()).extracting(RatedLine::quantity).extracting(BigDecimal::toPlainString)
                .containsExactly("10", "3", "1");
        assertThat(r.lines().get(0).description()).isEqualTo(
                "Tier 1 (up to 10) (blocks of 1000, 12345 units rounded up to 13 blocks)");
    }

    @Test
    void volumeBlocksPriceAllBlocksAtTheTierTheBlockCountFallsIn() {
        // 12 345 units -> 13 blocks, tier 2: 13 x 1 + 5 = 18; 10 000 units -> 10 blocks, tier 1: 10 x 2 = 20
        assertThat(Rater.rate(volumeBlocks(), Usage.quantity(d("12345"))).amount()).isEqualByComparingTo("18");
        assertThat(Rater.rate(volumeBlocks(), Usage.quantity(d("10000"))).amount()).isEqualByComparingTo("20");
        assertThat(Rater.rate(volumeBlocks(), Usage.quantity(d("10000.001"))).amount()).isEqualByComparingTo("16");
    }

    @Test
    void zeroUsageIsZeroBlocksAndAPartialBlockIsAWholeOne() {
        assertThat(Rater.rate(graduatedBlocks(), Usage.quantity(BigDecimal.ZERO)).amount()).isEqualByComparingTo("0");
        assertThat(Rater.rate(graduatedBlocks(), Usage.quantity(d("0.5"))).amount()).isEqualByComparingTo("2");
        assertThat(Rater.rate(graduatedBlocks(), Usage.quantity(d("1000"))).amount()).isEqualByComparingTo("2");
        assertThat(Rater.rate(graduatedBlocks(), Usage.quantity(d("1000.5"))).amount()).isEqualByComparingTo("4");
    }

    @Test
    void threeEventsOf600UnitsAreTwoBlocksNotThree() {
        // the per-event expression this replaces priced ceil(600/1000) three times = 3 blocks = 6
        assertThat(Rater.rate(graduatedBlocks(), Usage.quantity(d("1800"))).amount()).isEqualByComparingTo("4");
    }

    @Test
    void blockSizeTravelsInJsonAndIsLeftOutWhenAbsent() throws Exception {
        String g = "{\"model\":\"graduated\",\"tiers\":[{\"up_to\":\"10\",\"unit_price\":\"2\",\"flat_fee\":\"0\"},"
                + "{\"up_to\":null,\"unit_price\":\"1\",\"flat_fee\":\"5\"}],\"block_size\":\"1000\"}";
        assertThat(PriceModelJson.read(MAPPER.readTree(g))).isEqualTo(graduatedBlocks());
        assertThat(PriceModelJson.write(graduatedBlocks())).isEqualTo(MAPPER.readTree(g));
        String v = g.replace("graduated", "volume");
        assertThat(PriceModelJson.read(MAPPER.readTree(v))).isEqualTo(volumeBlocks());
        assertThat(PriceModelJson.write(volumeBlocks())).isEqualTo(MAPPER.readTree(v));
        assertThat(PriceModelJson.write(Fixtures.apiGraduated()).has("block_size")).isFalse();
        assertThat(PriceModelJson.read(MAPPER.readTree(g.replace("\"1000\"", "2.5"))))
                .isEqualTo(new GraduatedPrice(graduatedBlocks().tiers(), Optional.of(d("2.5"))));
    }

    @Test
    void refusesABlockSizeOfZeroOrLess() throws Exception {
        for (String bad : List.of("\"0\"", "\"-1000\"", "\"abc\"")) {
            JsonNode node = MAPPER.readTree("{\"model\":\"volume\",\"tiers\":[{\"up_to\":null,\"unit_price\":\"1\"}],"
                    + "\"block_size\":" + bad + "}");
            InvalidPriceException e = catchThrowableOfType(InvalidPriceException.class, () -> PriceModelJson.read(node));
            assertThat(e).as(bad).isNotNull();
            assertThat(e.field()).isEqualTo("block_size");
        }
        assertThatThrownBy(() -> new GraduatedPrice(graduatedBlocks().tiers(), Optional.of(BigDecimal.ZERO)))
                .isInstanceOf(InvalidPriceException.class);
    }

    @Test
    void blockSizeIsRefusedOnModelsThatHaveNoTiersOverUnits() throws Exception {
        JsonNode node = MAPPER.readTree("{\"model\":\"unit\",\"unit_price\":\"1\",\"block_size\":\"10\"}");
        assertThatThrownBy(() -> PriceModelJson.read(node)).isInstanceOf(InvalidPriceException.class);
    }

    /** price(Σ) is the tiers applied to ceil(Σ/N) blocks, and never more than the sum of per-event block prices. */
    @Property(tries = 400)
    void blockTiersPriceThePeriodQuantityOnceInWholeBlocks(@ForAll("events") List<BigDecimal> events,
            @ForAll("blockSizes") BigDecimal n, @ForAll boolean volume) {
        List<Tier> tiers = List.of(tier("3", "2", "0"), tier("10", "1.5", "0"), openTier("1", "0"));
        PriceModel blocks = volume ? new VolumePrice(tiers, Optional.of(n)) : new GraduatedPrice(tiers, Optional.of(n));
        PriceModel overBlocks = volume ? new VolumePrice(tiers) : new GraduatedPrice(tiers);
        BigDecimal total = events.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal whole = total.divide(n, 0, RoundingMode.CEILING);

        BigDecimal price = Rater.rate(blocks, Usage.quantity(total)).amount();
        assertThat(price).isEqualByComparingTo(Rater.rate(overBlocks, Usage.quantity(whole)).amount());
        if (!volume) {
            // graduated tiers are subadditive in blocks and Σ ceil(eᵢ/N) ≥ ceil(Σ/N)
            BigDecimal perEvent = events.stream().map(e -> Rater.rate(blocks, Usage.quantity(e)).amount())
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            assertThat(price).isLessThanOrEqualTo(perEvent);
        }
        BigDecimal perEventBlocks = events.stream().map(e -> e.divide(n, 0, RoundingMode.CEILING))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(whole).isLessThanOrEqualTo(perEventBlocks);
    }

    @Provide
    Arbitrary<List<BigDecimal>> events() {
        return Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("5000")).ofScale(2).list().ofMaxSize(15);
    }

    @Provide
    Arbitrary<BigDecimal> blockSizes() {
        return Arbitraries.of(d("1"), d("0.5"), d("100"), d("1000"), d("250.5"));
    }
}

package dev.tally.core.billing;

import static dev.tally.core.billing.BillingFixtures.AFTER_CHANGE;
import static dev.tally.core.billing.BillingFixtures.BEFORE_CHANGE;
import static dev.tally.core.billing.BillingFixtures.BHD;
import static dev.tally.core.billing.BillingFixtures.DECEMBER;
import static dev.tally.core.billing.BillingFixtures.JPY;
import static dev.tally.core.billing.BillingFixtures.LA;
import static dev.tally.core.billing.BillingFixtures.NOVEMBER;
import static dev.tally.core.billing.BillingFixtures.USD;
import static dev.tally.core.billing.BillingFixtures.at;
import static dev.tally.core.billing.BillingFixtures.flat;
import static dev.tally.core.billing.BillingFixtures.json;
import static dev.tally.core.billing.BillingFixtures.plan;
import static dev.tally.core.billing.BillingFixtures.tax;
import static dev.tally.core.billing.BillingFixtures.tokens;
import static dev.tally.core.billing.BillingFixtures.usage;
import static dev.tally.core.billing.FeeTiming.IN_ADVANCE;
import static dev.tally.core.billing.FeeTiming.IN_ARREARS;
import static dev.tally.core.pricing.Fixtures.d;
import static dev.tally.core.pricing.Fixtures.ds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.money.InvoiceTotals;
import dev.tally.core.money.Money;
import dev.tally.core.money.TaxRate;
import dev.tally.core.pricing.ChargePricing;
import dev.tally.core.pricing.Fixtures;
import dev.tally.core.pricing.PriceModel;
import dev.tally.core.pricing.UnitPrice;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InvoiceCalculatorTest {

    private static List<InvoiceLine> lines(Currency currency, Segment... segments) {
        return InvoiceCalculator.lines(List.of(segments), currency, LA);
    }

    private static List<String> amounts(List<InvoiceLine> lines) {
        return lines.stream().map(l -> l.amount().plainString()).toList();
    }

    private static UsageCharge tokensWith(ChargePricing pricing) {
        return usage("tokens", pricing);
    }

    private static ChargePricing unit(String price) {
        return ChargePricing.of(new UnitPrice(d(price)));
    }

    // ---- whole periods in three currencies --------------------------------------------------------

    @Test
    void billsAFlatFeeAndUsageAboveTheIncludedQuantityInUsd() {
        UsageCharge tokens = tokensWith(unit("0.002").withIncludedQuantity(d("1000")));
        Plan pro = plan("pro", USD, flat("base", "49.00", IN_ARREARS), tokens);

        List<InvoiceLine> lines = lines(USD, new Segment(pro, NOVEMBER, NOVEMBER,
                List.of(ChargeUsage.quantity(tokens, d("251000"), 1234, 2))));
        InvoiceTotals totals = InvoiceCalculator.totals(lines, List.of(tax("VAT", "20")), USD);

        assertThat(lines).extracting(InvoiceLine::lineId).containsExactly("base:0:0", "tokens:0:0", "tokens:0:1");
        assertThat(lines).extracting(InvoiceLine::description)
                .containsExactly("Platform fee", "Tokens: Included usage (1000 included)", "Tokens: Usage");
        assertThat(amounts(lines)).containsExactly("49.00", "0.00", "500.00");
        assertThat(totals.subtotal()).isEqualTo(Money.of("549.00", USD));
        assertThat(totals.taxes().get(0).amount()).isEqualTo(Money.of("109.80", USD));
        assertThat(totals.total().plainString()).isEqualTo("658.80");
    }

    @Test
    void roundsEachLineToWholeYen() {
        UsageCharge calls = tokensWith(unit("0.5"));
        Plan plan = plan("yen", JPY, flat("base", "4980", IN_ARREARS), calls);

        List<InvoiceLine> lines = lines(JPY, new Segment(plan, NOVEMBER, NOVEMBER,
                List.of(ChargeUsage.quantity(calls, d("1235"), 1235, 1))));
        InvoiceTotals totals = InvoiceCalculator.totals(lines, List.of(tax("JCT", "10")), JPY);

        // 1235 × 0.5 = 617.5 → 618; tax 10% of 5598 = 559.8 → 560
        assertThat(amounts(lines)).containsExactly("4980", "618");
        assertThat(totals.taxTotal().plainString()).isEqualTo("560");
        assertThat(totals.total().plainString()).isEqualTo("6158");
    }

    @Test
    void roundsEachLineToThreeDigitsOfBahrainiDinar() {
        UsageCharge calls = tokensWith(unit("0.0125"));
        Plan plan = plan("bhd", BHD, flat("base", "12.5", IN_ARREARS), calls);

        List<InvoiceLine> lines = lines(BHD, new Segment(plan, NOVEMBER, NOVEMBER,
                List.of(ChargeUsage.quantity(calls, d("333"), 333, 1))));
        InvoiceTotals totals = InvoiceCalculator.totals(lines, List.of(tax("VAT", "10")), BHD);

        // 333 × 0.0125 = 4.1625 → 4.163; tax 10% of 16.663 = 1.6663 → 1.666
        assertThat(amounts(lines)).containsExactly("12.500", "4.163");
        assertThat(totals.subtotal().plainString()).isEqualTo("16.663");
        assertThat(totals.taxTotal().plainString()).isEqualTo("1.666");
        assertThat(totals.total().plainString()).isEqualTo("18.329");
    }

    @Test
    void computesEachOfTwoTaxRatesOnTheSubtotalAndRoundsEachOnce() {
        Plan plan = plan("two", USD, flat("a", "40.00", IN_ARREARS), flat("b", "60.00", IN_ARREARS));

        List<InvoiceLine> lines = lines(USD, new Segment(plan, NOVEMBER, NOVEMBER, List.of()));
        InvoiceTotals totals = InvoiceCalculator.totals(lines, List.of(tax("State", "4"), tax("City", "4.875")), USD);

        assertThat(totals.subtotal().plainString()).isEqualTo("100.00");
        assertThat(totals.taxes()).extracting(t -> t.amount().plainString()).containsExactly("4.00", "4.88");
        assertThat(totals.total().plainString()).isEqualTo("108.88");
    }

    // ---- plan changes ------------------------------------------------------------------------------

    @Test
    void aPlanChangeProratesTheSameFee9Over30And21Over30AndLosesNoCent() {
        Plan starter = plan("starter", USD, flat("base", "49.00", IN_ARREARS));
        Plan pro = plan("pro", USD, flat("base", "49.00", IN_ARREARS));

        List<InvoiceLine> lines = lines(USD, new Segment(starter, BEFORE_CHANGE, NOVEMBER, List.of()),
                new Segment(pro, AFTER_CHANGE, NOVEMBER, List.of()));

        assertThat(lines).extracting(InvoiceLine::description)
                .containsExactly("Platform fee (prorated 9 of 30 days, Nov 1 – Nov 9)", "Platform fee (prorated 21 of 30 days, Nov 10 – Nov 30)");
        assertThat(amounts(lines)).containsExactly("14.70", "34.30");
        assertThat(InvoiceCalculator.totals(lines, List.of(), USD).total().plainString()).isEqualTo("49.00");
    }

    @Test
    void aPlanChangeBillsUsageBeforeAndAfterTheChangeUnderEachPlansOwnPrices() {
        UsageCharge cheap = tokensWith(unit("0.005"));
        UsageCharge dear = tokensWith(unit("0.01"));
        Plan starter = plan("starter", USD, flat("base", "30.00", IN_ARREARS), dear);
        Plan pro = new Plan("pro", 4, "Pro", USD, BillingInterval.MONTHLY, List.of(flat("base", "49.00", IN_ARREARS), cheap),
                List.of(), 0);

        List<InvoiceLine> lines = lines(USD,
                new Segment(starter, BEFORE_CHANGE, NOVEMBER, List.of(ChargeUsage.quantity(dear, d("2000"), 20, 1))),
                new Segment(pro, AFTER_CHANGE, NOVEMBER, List.of(ChargeUsage.quantity(cheap, d("10000"), 100, 1))));

        // 30 × 9/30 = 9.00; 2000 × 0.01 = 20.00; 49 × 21/30 = 34.30; 10000 × 0.005 = 50.00
        assertThat(lines).extracting(InvoiceLine::lineId).containsExactly("base:0:0", "tokens:0:0", "base:1:0", "tokens:1:0");
        assertThat(amounts(lines)).containsExactly("9.00", "20.00", "34.30", "50.00");
        assertThat(lines).extracting(InvoiceLine::plan).containsExactly("starter", "starter", "pro", "pro");
        assertThat(lines).extracting(InvoiceLine::planVersion).containsExactly(1, 1, 4, 4);
        assertThat(lines).extracting(InvoiceLine::period).containsExactly(BEFORE_CHANGE, BEFORE_CHANGE, AFTER_CHANGE, AFTER_CHANGE);
        assertThat(InvoiceCalculator.totals(lines, List.of(), USD).total().plainString()).isEqualTo("113.30");
    }

    @Test
    void anUpgradeCreditsTheUnusedPartOfTheOldFeeAndChargesTheNewFeeForTheRest() {
        Plan starter = plan("starter", USD, flat("base", "49.00", IN_ADVANCE));
        Plan pro = plan("pro", USD, flat("base", "99.00", IN_ADVANCE));

        List<InvoiceLine> credits = InvoiceCalculator.prorationCredits(
                List.of(Segment.inAdvance(starter, AFTER_CHANGE, NOVEMBER)), USD, LA);
        List<InvoiceLine> charges = lines(USD, Segment.inAdvance(pro, AFTER_CHANGE, NOVEMBER));

        assertThat(credits).singleElement().satisfies(c -> {
            assertThat(c.kind()).isEqualTo(LineKind.PRORATION_CREDIT);
            assertThat(c.lineId()).isEqualTo("base:credit:0");
            assertThat(c.description()).isEqualTo("Unused Platform fee (21 of 30 days, Nov 10 – Nov 30)");
            assertThat(c.amount().plainString()).isEqualTo("-34.30");
        });
        assertThat(amounts(charges)).containsExactly("69.30");
        List<InvoiceLine> invoice = new java.util.ArrayList<>(credits);
        invoice.addAll(charges);
        assertThat(InvoiceCalculator.totals(invoice, List.of(), USD).total().plainString()).isEqualTo("35.00");
    }

    // ---- charge modifiers --------------------------------------------------------------------------

    @Test
    void addsAMinimumTrueUpLine() {
        UsageCharge tokens = tokensWith(unit("0.01").withMinimumAmount(d("10")));
        Plan plan = plan("p", USD, tokens);

        List<InvoiceLine> lines = lines(USD, new Segment(plan, NOVEMBER, NOVEMBER, List.of(ChargeUsage.quantity(tokens, d("300"), 3, 1))));

        assertThat(lines).extracting(InvoiceLine::kind).containsExactly(LineKind.USAGE, LineKind.MINIMUM_TRUE_UP);
        assertThat(lines.get(1).description()).isEqualTo("Tokens: Minimum commitment true-up (minimum 10.00)");
        assertThat(amounts(lines)).containsExactly("3.00", "7.00");
    }

    @Test
    void proratesTheMinimumOfAPartialSegmentByDay() {
        UsageCharge tokens = tokensWith(unit("0.01").withMinimumAmount(d("10")));
        Plan plan = plan("p", USD, tokens);

        List<InvoiceLine> lines = lines(USD, new Segment(plan, AFTER_CHANGE, NOVEMBER, List.of(ChargeUsage.quantity(tokens, d("300"), 3, 1))));

        // minimum 10 × 21/30 = 7.00; usage 3.00; true-up 4.00
        assertThat(amounts(lines)).containsExactly("3.00", "4.00");
        assertThat(lines.get(1).description()).isEqualTo("Tokens: Minimum commitment true-up (minimum 7.00) (prorated 21 of 30 days, Nov 10 – Nov 30)");
    }

    @Test
    void aMinimumAppliesWithoutUsage() {
        UsageCharge tokens = tokensWith(unit("0.01").withMinimumAmount(d("10")));
        Plan plan = plan("p", USD, tokens);

        List<InvoiceLine> lines = lines(USD, new Segment(plan, NOVEMBER, NOVEMBER, List.of(ChargeUsage.quantity(tokens, BigDecimal.ZERO, 0, 1))));

        assertThat(amounts(lines)).containsExactly("0.00", "10.00");
    }

    @Test
    void proratesTheIncludedQuantityOfAPartialSegmentByDay() {
        UsageCharge tokens = tokensWith(unit("0.01").withIncludedQuantity(d("1000")));
        Plan plan = plan("p", USD, tokens);

        List<InvoiceLine> whole = lines(USD, new Segment(plan, NOVEMBER, NOVEMBER, List.of(ChargeUsage.quantity(tokens, d("1500"), 15, 1))));
        List<InvoiceLine> part = lines(USD, new Segment(plan, BEFORE_CHANGE, NOVEMBER, List.of(ChargeUsage.quantity(tokens, d("500"), 5, 1))));

        assertThat(amounts(whole)).containsExactly("0.00", "5.00");
        // 1000 × 9/30 = 300 included; (500 − 300) × 0.01 = 2.00
        assertThat(part).extracting(InvoiceLine::description).containsExactly("Tokens: Included usage (300 included)", "Tokens: Usage");
        assertThat(amounts(part)).containsExactly("0.00", "2.00");
    }

    @Test
    void capsAtTheMaximumWithANegativeLine() {
        UsageCharge tokens = tokensWith(unit("1").withMaximumAmount(d("100")));
        Plan plan = plan("p", USD, tokens);

        List<InvoiceLine> lines = lines(USD, new Segment(plan, NOVEMBER, NOVEMBER, List.of(ChargeUsage.quantity(tokens, d("150"), 150, 1))));

        assertThat(lines).extracting(InvoiceLine::kind).containsExactly(LineKind.USAGE, LineKind.MAXIMUM_CAP);
        assertThat(amounts(lines)).containsExactly("150.00", "-50.00");
    }

    @Test
    void ratesEachDimensionValueWithItsOwnPrice() {
        UsageCharge models = new UsageCharge("models", "Model calls", "calls", Map.of(),
                unit("0.01").withDimension("model", Map.of("big", (PriceModel) new UnitPrice(d("0.03")))));
        Plan plan = plan("p", USD, models);

        List<InvoiceLine> lines = lines(USD, new Segment(plan, NOVEMBER, NOVEMBER, List.of(ChargeUsage.byDimension(models,
                Map.of("small", d("1000"), "big", d("1000"), "medium", d("500")), 2500, 1))));

        assertThat(lines).extracting(InvoiceLine::description).containsExactly(
                "Model calls: model=big: Usage", "Model calls: model=medium: Usage", "Model calls: model=small: Usage");
        assertThat(amounts(lines)).containsExactly("30.00", "5.00", "10.00");
    }

    @Test
    void ratesPerEventChargesFromTheEventValues() {
        UsageCharge payments = new UsageCharge("payments", "Payments", "payments", Map.of(), ChargePricing.of(Fixtures.apiPercentage()));
        Plan plan = plan("p", USD, payments);

        List<InvoiceLine> lines = lines(USD, new Segment(plan, NOVEMBER, NOVEMBER,
                List.of(ChargeUsage.events(payments, ds("100", "10", "100", "2000"), 1))));

        assertThat(lines).allSatisfy(l -> {
            assertThat(l.kind()).isEqualTo(LineKind.USAGE);
            assertThat(l.eventCount()).isEqualTo(4);
        });
        assertThat(InvoiceCalculator.totals(lines, List.of(), USD).total().plainString()).isEqualTo("22.10");
    }

    // ---- timing, trial and selection ---------------------------------------------------------------

    @Test
    void billsInAdvanceFeesForTheComingPeriodAndInArrearsFeesAndUsageForThePeriodThatEnded() {
        UsageCharge tokens = tokensWith(unit("0.01"));
        Plan plan = plan("p", USD, flat("base", "49.00", IN_ADVANCE),
                new FlatCharge("support", "Support", d("10"), IN_ARREARS), tokens);

        List<InvoiceLine> lines = lines(USD,
                Segment.inArrears(plan, NOVEMBER, NOVEMBER, List.of(ChargeUsage.quantity(tokens, d("100"), 10, 1))),
                Segment.inAdvance(plan, DECEMBER, DECEMBER));

        assertThat(lines).extracting(InvoiceLine::lineId).containsExactly("support:0:0", "tokens:0:0", "base:1:0");
        assertThat(lines).extracting(InvoiceLine::period).containsExactly(NOVEMBER, NOVEMBER, DECEMBER);
        assertThat(amounts(lines)).containsExactly("10.00", "1.00", "49.00");
    }

    @Test
    void aTrialLeavesOnlyTheDaysAfterItToBill() {
        // a 14-day trial from Nov 1: the caller bills Nov 15 to Dec 1 (16 of 30 days) and only the usage after the trial
        UsageCharge tokens = tokensWith(unit("0.01"));
        Plan plan = new Plan("p", 1, "P", USD, BillingInterval.MONTHLY, List.of(flat("base", "49.00", IN_ARREARS), tokens),
                List.of(), 14);
        Period afterTrial = new Period(at("2026-11-15T00:00", LA), NOVEMBER.end());

        List<InvoiceLine> lines = lines(USD, new Segment(plan, afterTrial, NOVEMBER, List.of(ChargeUsage.quantity(tokens, d("700"), 7, 1))));

        // 49 × 16/30 = 26.1333... → 26.13
        assertThat(lines.get(0).description()).isEqualTo("Platform fee (prorated 16 of 30 days, Nov 15 – Nov 30)");
        assertThat(amounts(lines)).containsExactly("26.13", "7.00");
        assertThat(lines.get(0).unitPrice()).isEqualTo(d("26.1333333333333333333333"));
    }

    @Test
    void aFeeThatProratesToZeroGivesNoLine() {
        Plan plan = plan("p", USD, flat("base", "49.00", IN_ARREARS), flat("free", "0", IN_ARREARS));
        Period sameDay = new Period(at("2026-11-10T08:00", LA), at("2026-11-10T17:00", LA));

        assertThat(lines(USD, new Segment(plan, sameDay, NOVEMBER, List.of()))).isEmpty();
        assertThat(lines(USD, new Segment(plan, NOVEMBER, NOVEMBER, List.of()))).extracting(InvoiceLine::chargeKey).containsExactly("base");
    }

    // ---- explainability and stability --------------------------------------------------------------

    @Test
    void everyUsageLineNamesWhatItWasComputedFrom() {
        UsageCharge tokens = tokensWith(unit("0.002").withIncludedQuantity(d("1000")));
        Plan pro = new Plan("pro", 3, "Pro", USD, BillingInterval.MONTHLY, List.of(tokens), List.of(), 0);

        InvoiceLine line = lines(USD, new Segment(pro, NOVEMBER, NOVEMBER,
                List.of(ChargeUsage.quantity(tokens, d("251000"), 1234, 2)))).get(1);

        assertThat(line.kind()).isEqualTo(LineKind.USAGE);
        assertThat(line.chargeKey()).isEqualTo("tokens");
        assertThat(line.quantity()).isEqualByComparingTo("250000");
        assertThat(line.unitPrice()).isEqualByComparingTo("0.002");
        assertThat(line.meter()).contains("tokens");
        assertThat(line.meterVersion()).contains(2);
        assertThat(line.plan()).isEqualTo("pro");
        assertThat(line.planVersion()).isEqualTo(3);
        assertThat(line.eventCount()).isEqualTo(1234);
        assertThat(line.period()).isEqualTo(NOVEMBER);
        assertThat(line.adjustsPeriod()).isEmpty();
        assertThat(json(line.priceJson().orElseThrow())).isEqualTo(PlanJson.writeCharge(tokens));
    }

    @Test
    void theSameInputAlwaysGivesTheSameLines() {
        UsageCharge tokens = tokensWith(unit("0.01"));
        Plan plan = plan("p", USD, flat("base", "49.00", IN_ARREARS), tokens);
        List<Segment> segments = List.of(new Segment(plan, BEFORE_CHANGE, NOVEMBER, List.of(ChargeUsage.quantity(tokens, d("5"), 5, 1))),
                new Segment(plan, AFTER_CHANGE, NOVEMBER, List.of(ChargeUsage.quantity(tokens, d("7"), 7, 1))));

        assertThat(InvoiceCalculator.lines(segments, USD, LA)).isEqualTo(InvoiceCalculator.lines(segments, USD, LA));
    }

    // ---- refusals ----------------------------------------------------------------------------------

    @Test
    void refusesAPlanInAnotherCurrency() {
        Plan yen = plan("yen", JPY, flat("base", "100", IN_ARREARS));

        assertThatThrownBy(() -> lines(USD, new Segment(yen, NOVEMBER, NOVEMBER, List.of())))
                .isInstanceOf(InvalidBillingException.class)
                .hasMessage("currency plan yen version 1 is priced in JPY, not USD");
    }

    @Test
    void totalsRefuseTwoLinesWithTheSameId() {
        Plan plan = plan("p", USD, flat("base", "49.00", IN_ARREARS));
        List<InvoiceLine> once = lines(USD, new Segment(plan, NOVEMBER, NOVEMBER, List.of()));
        List<InvoiceLine> twice = new java.util.ArrayList<>(once);
        twice.addAll(once);

        assertThatThrownBy(() -> InvoiceCalculator.totals(twice, List.<TaxRate>of(), USD))
                .hasMessage("lines have the line id base:0:0 more than once");
    }

    @Test
    void aSegmentCoversEveryUsageChargeOrNone() {
        UsageCharge a = tokensWith(unit("1"));
        UsageCharge b = new UsageCharge("calls", "Calls", "calls", Map.of(), unit("1"));
        Plan plan = plan("p", USD, a, b);

        assertThatThrownBy(() -> new Segment(plan, NOVEMBER, NOVEMBER, List.of(ChargeUsage.quantity(a, d("1"), 1, 1))))
                .hasMessage("usage must cover every usage charge of plan p or none; missing [calls]");
        assertThatThrownBy(() -> new Segment(plan, NOVEMBER, NOVEMBER, List.of(ChargeUsage.quantity(a, d("1"), 1, 1),
                ChargeUsage.quantity(a, d("1"), 1, 1)))).hasMessage("usage has charge tokens more than once");
        UsageCharge other = tokensWith(unit("2"));
        assertThatThrownBy(() -> new Segment(plan, NOVEMBER, NOVEMBER, List.of(ChargeUsage.quantity(other, d("1"), 1, 1),
                ChargeUsage.quantity(b, d("1"), 1, 1)))).hasMessageContaining("which is not a usage charge of plan p");
        assertThatThrownBy(() -> new Segment(plan, DECEMBER, NOVEMBER, List.of()))
                .hasMessageContaining("is not within its nominal period");
    }

    @Test
    void usageMustFitItsCharge() {
        UsageCharge tokens = tokensWith(unit("1"));
        UsageCharge payments = new UsageCharge("payments", "Payments", "payments", Map.of(), ChargePricing.of(Fixtures.apiPercentage()));

        assertThatThrownBy(() -> new ChargeUsage(tokens, Map.of(), ds("1"), 1, 1)).hasMessageContaining("rated from a quantity");
        assertThatThrownBy(() -> ChargeUsage.quantity(payments, d("1"), 1, 1)).hasMessageContaining("rated from event values");
        assertThatThrownBy(() -> ChargeUsage.byDimension(tokens, Map.of("big", d("1")), 1, 1))
                .hasMessageContaining("not priced by dimension");
        assertThatThrownBy(() -> ChargeUsage.quantity(tokens, d("-1"), 1, 1)).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> ChargeUsage.quantity(tokens, d("1"), 1, 0)).hasMessage("meter_version must be at least 1, got 0");
    }

    @Test
    void aLineIsExactlyItsQuantityTimesItsUnitPriceRoundedOnce() {
        assertThat(line(LineKind.USAGE, "3", "0.333", "1.00", Optional.empty()).amount()).isEqualTo(Money.of("1", USD));
        assertThatThrownBy(() -> line(LineKind.USAGE, "3", "0.333", "0.99", Optional.empty()))
                .isInstanceOf(InvalidBillingException.class)
                .hasMessage("amount 0.99 is not quantity 3 × unit price 0.333 rounded (1.00)");
        assertThatThrownBy(() -> line(LineKind.USAGE, "1", "0.333", "0.333", Optional.empty()))
                .hasMessage("amount must be rounded to the minor unit of USD, got 0.333");
        assertThatThrownBy(() -> line(LineKind.USAGE, "1", "-1", "-1.00", Optional.empty()))
                .hasMessage("amount of a usage line must not be negative, got -1.00");
        assertThatThrownBy(() -> line(LineKind.PRORATION_CREDIT, "1", "1", "1.00", Optional.empty()))
                .hasMessage("amount of a proration_credit line must not be positive, got 1.00");
        assertThatThrownBy(() -> line(LineKind.ADJUSTMENT, "1", "-1", "-1.00", Optional.empty()))
                .hasMessage("adjusts_period must be given exactly for adjustment lines");
        assertThat(line(LineKind.ADJUSTMENT, "1", "-1.5", "-1.50", Optional.of(NOVEMBER)).adjustsPeriod()).contains(NOVEMBER);
    }

    private static InvoiceLine line(LineKind kind, String quantity, String unitPrice, String amount, Optional<Period> adjusts) {
        return new InvoiceLine("x:0:0", kind, "x", "X", d(quantity), d(unitPrice), Money.of(amount, USD), DECEMBER,
                Optional.empty(), Optional.empty(), "p", 1, Optional.empty(), 0, adjusts);
    }
}

package dev.tally.engine.discount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LineKind;
import dev.tally.core.billing.LineSource;
import dev.tally.core.discount.OverrideVersion;
import dev.tally.core.discount.Redemption;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.ledger.Funding;
import dev.tally.core.money.Money;
import dev.tally.core.time.ManualClock;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.TestStore;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.BillingConflictException;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.billing.InvoiceStatus;
import dev.tally.engine.billing.Subscription;
import dev.tally.engine.credit.Credits;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Price overrides and coupons over three billing periods with a fake clock, on the embedded store and on PostgreSQL.
 * Every amount is computed by hand in the comments. Plan: a 20.00 platform fee in advance, tokens at 0.01 each,
 * 10 % tax; a customer in UTC subscribed on November 1.
 */
class DiscountsEngineTest {
    static final String T = Engine.DEFAULT_TENANT;
    static final Currency USD = Currency.getInstance("USD");
    final ObjectMapper json = new ObjectMapper();
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-01T00:00:00Z"));
    final List<String> databases = new ArrayList<>();
    int eventId;

    @TempDir
    Path dir;

    static Stream<TestStore> stores() {
        return TestStore.both();
    }

    @AfterEach
    void dropDatabases() {
        databases.forEach(TestDatabases::drop);
    }

    Subscription setUp(Engine e, Duration grace) throws Exception {
        Billing b = e.billing();
        b.setGracePeriod(T, grace);
        e.createMeter(T, json.readTree("{\"key\":\"tokens\",\"event_type\":\"tokens\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
        b.createPlan(T, json.readTree("{\"key\":\"pro\",\"name\":\"Pro\",\"currency\":\"USD\",\"interval\":\"monthly\","
                + "\"tax_rates\":[{\"name\":\"VAT\",\"percent\":\"10\"}],\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Platform fee\",\"amount\":\"20.00\",\"timing\":\"in_advance\"},"
                + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}]}"));
        b.createCustomer(T, json.readTree("{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        return b.subscribe(T, json.readTree("{\"customer\":\"acme\",\"plan\":\"pro\",\"start\":\"2026-11-01T00:00:00Z\"}"));
    }

    void tokens(Engine e, String time, long n) {
        String body = "[{\"specversion\":\"1.0\",\"id\":\"e" + (++eventId) + "\",\"source\":\"s\",\"type\":\"tokens\","
                + "\"subject\":\"acme\",\"time\":\"" + time + "\",\"data\":{\"n\":" + n + "}}]";
        e.ingest(T, e.eventReader().read(body.getBytes(StandardCharsets.UTF_8), CloudEventReader.BodyShape.BATCH));
    }

    static Invoice at(Billing b, String boundary) {
        return b.invoices(T, Optional.of("acme"), Optional.empty(), 100).stream()
                .filter(i -> i.boundary().equals(Instant.parse(boundary))).findFirst().orElseThrow();
    }

    /** Each line as "kind charge amount [source]". */
    static List<String> lines(Invoice i) {
        return i.lines().stream().map(l -> l.kind().wireName() + " " + l.chargeKey() + " " + l.amount().plainString()
                + l.source().map(s -> " [" + s.label() + "]").orElse("")).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void negotiatedRatesPriceTheirPartOfThePeriodAndNameTheirVersion(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            Billing b = e.billing();
            Discounts d = b.discounts();
            Subscription s = setUp(e, Duration.ZERO);
            b.run(T); // opening invoice: November's 20.00 fee
            OverrideVersion v1 = d.createOverride(T, s.id(), json.readTree("{\"charge\":\"tokens\","
                    + "\"effective_from\":\"2026-11-01T00:00:00Z\",\"price\":{\"model\":\"unit\",\"unit_price\":\"0.008\"},"
                    + "\"reason\":\"enterprise deal\"}"));
            String id = v1.overrideId();
            assertThatThrownBy(() -> d.createOverride(T, s.id(), json.readTree("{\"charge\":\"tokens\",\"discount_percent\":\"5\"}")))
                    .isInstanceOf(BillingConflictException.class);
            assertThatThrownBy(() -> d.createOverride(T, s.id(), json.readTree("{\"charge\":\"base\","
                    + "\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"}}"))).isInstanceOf(ValidationException.class);
            assertThatThrownBy(() -> d.createOverride(T, s.id(), json.readTree("{\"charge\":\"base\",\"amount\":\"1\","
                    + "\"effective_from\":\"2026-10-31T00:00:00Z\"}"))).as("before the last invoiced boundary")
                    .isInstanceOf(ValidationException.class);
            clock.set(Instant.parse("2026-11-10T00:00:00Z"));
            OverrideVersion v2 = d.addVersion(T, s.id(), id, json.readTree("{\"effective_from\":\"2026-11-16T00:00:00Z\","
                    + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.006\"}}"));
            assertThat(v2.version()).isEqualTo(2);
            OverrideVersion base = d.createOverride(T, s.id(), json.readTree("{\"charge\":\"base\",\"amount\":\"15.00\","
                    + "\"effective_from\":\"2026-12-01T00:00:00Z\"}"));
            clock.set(Instant.parse("2026-11-25T00:00:00Z"));
            tokens(e, "2026-11-05T00:00:00Z", 1000);
            tokens(e, "2026-11-20T00:00:00Z", 1000);

            clock.set(Instant.parse("2026-12-01T00:00:00Z"));
            b.run(T);
            Invoice dec = at(b, "2026-12-01T00:00:00Z");
            // tokens: Nov 1-16 1,000 x 0.008 = 8.00 (v1); Nov 16 - Dec 1 1,000 x 0.006 = 6.00 (v2);
            // December's fee 15.00 (base override v1). Subtotal 29.00, tax 2.90, total 31.90.
            assertThat(lines(dec)).containsExactlyInAnyOrder(
                    "usage tokens 8.00 [override " + id + " v1]",
                    "usage tokens 6.00 [override " + id + " v2]",
                    "flat_fee base 15.00 [override " + base.overrideId() + " v1]");
            assertThat(dec.totals().subtotal()).isEqualTo(Money.of("29.00", USD));
            assertThat(dec.totals().total()).isEqualTo(Money.of("31.90", USD));
            InvoiceLine first = dec.lines().stream().filter(l -> l.amount().equals(Money.of("8.00", USD))).findFirst().orElseThrow();
            assertThat(first.period().end()).isEqualTo(Instant.parse("2026-11-16T00:00:00Z"));
            assertThat(first.unitPrice()).isEqualByComparingTo("0.008");
            assertThat(first.priceJson().orElseThrow()).contains("0.008");

            // ended on Dec 16: the last version (3) keeps 0.006 until then; the plan's 0.01 after
            clock.set(Instant.parse("2026-12-05T00:00:00Z"));
            OverrideVersion v3 = d.endOverride(T, s.id(), id, json.readTree("{\"at\":\"2026-12-16T00:00:00Z\"}"));
            assertThat(v3.version()).isEqualTo(3);
            assertThat(v3.effectiveTo()).contains(Instant.parse("2026-12-16T00:00:00Z"));
            assertThat(d.versions(T, s.id(), id)).extracting(OverrideVersion::version).containsExactly(1, 2, 3);
            clock.set(Instant.parse("2026-12-25T00:00:00Z"));
            tokens(e, "2026-12-10T00:00:00Z", 500);
            tokens(e, "2026-12-20T00:00:00Z", 500);
            clock.set(Instant.parse("2027-01-01T00:00:00Z"));
            b.run(T);
            Invoice jan = at(b, "2027-01-01T00:00:00Z");
            // tokens: Dec 1-16 500 x 0.006 = 3.00 (v3); Dec 16 - Jan 1 500 x 0.01 = 5.00 (plan); fee 15.00
            // subtotal 23.00, tax 2.30, total 25.30
            assertThat(lines(jan)).containsExactlyInAnyOrder(
                    "usage tokens 3.00 [override " + id + " v3]",
                    "usage tokens 5.00",
                    "flat_fee base 15.00 [override " + base.overrideId() + " v1]");
            assertThat(jan.totals().total()).isEqualTo(Money.of("25.30", USD));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aPercentageOverrideOnUsageIsADiscountLineAndOnAFeeAReducedFee(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            Billing b = e.billing();
            Subscription s = setUp(e, Duration.ZERO);
            OverrideVersion tok = b.discounts().createOverride(T, s.id(), json.readTree("{\"charge\":\"tokens\",\"discount_percent\":\"12.5\"}"));
            OverrideVersion fee = b.discounts().createOverride(T, s.id(), json.readTree("{\"charge\":\"base\",\"discount_percent\":\"25\"}"));
            b.run(T);
            // November's fee: 20.00 x 75 % = 15.00
            assertThat(lines(at(b, "2026-11-01T00:00:00Z"))).containsExactly("flat_fee base 15.00 [override " + fee.overrideId() + " v1]");
            clock.set(Instant.parse("2026-11-25T00:00:00Z"));
            tokens(e, "2026-11-05T00:00:00Z", 1234);
            clock.set(Instant.parse("2026-12-01T00:00:00Z"));
            b.run(T);
            // tokens 1,234 x 0.01 = 12.34; 12.5 % of it = 1.5425 -> 1.54 (HALF_UP); fee 15.00
            assertThat(lines(at(b, "2026-12-01T00:00:00Z"))).containsExactlyInAnyOrder(
                    "usage tokens 12.34 [override " + tok.overrideId() + " v1]",
                    "discount tokens -1.54 [override " + tok.overrideId() + " v1]",
                    "flat_fee base 15.00 [override " + fee.overrideId() + " v1]");
            assertThat(at(b, "2026-12-01T00:00:00Z").totals().subtotal()).isEqualTo(Money.of("25.80", USD));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void couponsComeAfterChargesAndBeforeTaxAndCountTheirPeriodsOnceAcrossReRatings(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            Billing b = e.billing();
            Discounts d = b.discounts();
            Subscription s = setUp(e, Duration.ofHours(1));
            d.createCoupon(T, json.readTree("{\"key\":\"ten\",\"name\":\"Ten\",\"percent_off\":\"10\",\"duration\":\"repeating\","
                    + "\"duration_periods\":2}"));
            d.createCoupon(T, json.readTree("{\"key\":\"five\",\"name\":\"Five\",\"amount_off\":\"5.00\",\"currency\":\"USD\","
                    + "\"duration\":\"once\",\"applies_to\":[\"tokens\"]}"));
            Redemption ten = d.redeem(T, s.id(), json.readTree("{\"coupon\":\"ten\",\"start\":\"2026-11-01T00:00:00Z\"}"));
            clock.advance(Duration.ofSeconds(1));
            Redemption five = d.redeem(T, s.id(), json.readTree("{\"coupon\":\"five\",\"start\":\"2026-11-01T00:00:00Z\"}"));
            String tenL = " [coupon ten (" + ten.id() + ")]";
            String fiveL = " [coupon five (" + five.id() + ")]";

            b.run(T);
            clock.set(Instant.parse("2026-11-01T02:00:00Z"));
            b.run(T);
            // opening invoice (November): fee 20.00, 10 % -> -2.00; the 5.00 off tokens finds no tokens line here
            // subtotal 18.00, tax 1.80, total 19.80
            Invoice nov = at(b, "2026-11-01T00:00:00Z");
            assertThat(nov.status()).isEqualTo(InvoiceStatus.FINALIZED);
            assertThat(lines(nov)).containsExactly("flat_fee base 20.00", "discount base -2.00" + tenL);
            assertThat(nov.totals().total()).isEqualTo(Money.of("19.80", USD));

            clock.set(Instant.parse("2026-11-25T00:00:00Z"));
            tokens(e, "2026-11-05T00:00:00Z", 1500);
            clock.set(Instant.parse("2026-12-01T00:00:00Z"));
            b.run(T);
            clock.set(Instant.parse("2026-12-01T00:20:00Z"));
            b.run(T); // re-rates the draft
            clock.set(Instant.parse("2026-12-01T00:40:00Z"));
            b.run(T); // and again
            clock.set(Instant.parse("2026-12-01T02:00:00Z"));
            b.run(T); // finalizes it
            // closing November: tokens 15.00, December's fee 20.00; 10 % -> -1.50, -2.00; 5.00 off tokens (13.50 left)
            // -> -5.00 (still November, the first of its one period). Subtotal 35.00 - 8.50 = 26.50, tax 2.65, 29.15
            Invoice dec = at(b, "2026-12-01T00:00:00Z");
            assertThat(dec.status()).isEqualTo(InvoiceStatus.FINALIZED);
            assertThat(lines(dec)).containsExactly("usage tokens 15.00", "flat_fee base 20.00",
                    "discount tokens -1.50" + tenL, "discount base -2.00" + tenL, "discount tokens -5.00" + fiveL);
            assertThat(dec.totals().subtotal()).isEqualTo(Money.of("26.50", USD));
            assertThat(dec.totals().total()).isEqualTo(Money.of("29.15", USD));

            // the live estimate of December shows the coupon too: tokens 2,000 x 0.01 = 20.00 less 10 % = 18.00;
            // December's fee 20.00 (on the invoice above, discounted there) less 10 % = 18.00
            clock.set(Instant.parse("2026-12-10T00:00:00Z"));
            tokens(e, "2026-12-05T00:00:00Z", 2000);
            dev.tally.engine.billing.UsageEstimate est = b.currentUsage(T, "acme").get(0);
            assertThat(est.charges()).extracting(ch -> ch.charge() + " " + ch.amount().toPlainString())
                    .containsExactlyInAnyOrder("base 18.00", "tokens 18.00");
            assertThat(est.estimate().subtotal()).isEqualTo(Money.of("36.00", USD));

            // credits come after tax: a 10.00 grant pays part of January's total
            b.credits().grant(T, "acme", new Credits.GrantRequest(Money.of("10.00", USD), 100, Optional.empty(),
                    Optional.empty(), Set.of(), Funding.FREE, Optional.empty(), "promo"), "test");
            clock.set(Instant.parse("2026-12-25T00:00:00Z"));
            tokens(e, "2026-12-10T00:00:00Z", 800);
            clock.set(Instant.parse("2027-01-01T00:00:00Z"));
            b.run(T);
            clock.set(Instant.parse("2027-01-01T02:00:00Z"));
            b.run(T);
            // closing December (the second and last period of "ten"; "five" is over): tokens 2,800 x 0.01 = 28.00,
            // fee 20.00; 10 % -> -2.80, -2.00. Subtotal 43.20, tax 4.32, total 47.52; credits 10.00; due 37.52
            Invoice jan = at(b, "2027-01-01T00:00:00Z");
            assertThat(lines(jan)).containsExactly("usage tokens 28.00", "flat_fee base 20.00",
                    "discount tokens -2.80" + tenL, "discount base -2.00" + tenL);
            assertThat(jan.totals().taxTotal()).isEqualTo(Money.of("4.32", USD));
            assertThat(jan.totals().total()).isEqualTo(Money.of("47.52", USD));
            assertThat(jan.credits().creditsApplied()).isEqualTo(Money.of("10.00", USD));
            assertThat(jan.amountDue()).isEqualTo(Money.of("37.52", USD));

            clock.set(Instant.parse("2027-02-01T00:00:00Z"));
            b.run(T);
            clock.set(Instant.parse("2027-02-01T02:00:00Z"));
            b.run(T);
            // closing January: no coupon covers it any more
            assertThat(at(b, "2027-02-01T00:00:00Z").lines()).noneMatch(l -> l.kind() == LineKind.DISCOUNT);
            assertThat(at(b, "2027-02-01T00:00:00Z").totals().subtotal()).isEqualTo(Money.of("20.00", USD));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aFixedAmountIsPerPeriodSharedByTheOpeningAndTheFirstClosingInvoice(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            Billing b = e.billing();
            Discounts d = b.discounts();
            Subscription s = setUp(e, Duration.ZERO);
            d.createCoupon(T, json.readTree("{\"key\":\"big\",\"amount_off\":\"30.00\",\"currency\":\"USD\"}"));
            Redemption r = d.redeem(T, s.id(), json.readTree("{\"coupon\":\"big\"}"));
            b.run(T);
            // opening: fee 20.00, all of it off (20.00 of the 30.00 of November); subtotal 0, never below
            Invoice nov = at(b, "2026-11-01T00:00:00Z");
            assertThat(lines(nov)).containsExactly("flat_fee base 20.00", "discount base -20.00 [coupon big (" + r.id() + ")]");
            assertThat(nov.totals().total()).isEqualTo(Money.of("0.00", USD));
            clock.set(Instant.parse("2026-11-25T00:00:00Z"));
            tokens(e, "2026-11-05T00:00:00Z", 3000);
            clock.set(Instant.parse("2026-12-01T00:00:00Z"));
            b.run(T);
            // closing November: tokens 30.00 + fee 20.00 = 50.00; 10.00 of November's 30.00 left, split pro rata
            // 30:20 -> 6.00 and 4.00. Subtotal 40.00
            Invoice dec = at(b, "2026-12-01T00:00:00Z");
            assertThat(lines(dec)).containsExactly("usage tokens 30.00", "flat_fee base 20.00",
                    "discount tokens -6.00 [coupon big (" + r.id() + ")]", "discount base -4.00 [coupon big (" + r.id() + ")]");
            assertThat(dec.totals().subtotal()).isEqualTo(Money.of("40.00", USD));
            assertThat(DiscountCalculatorTotal.of(nov, dec)).isEqualByComparingTo(new BigDecimal("30.00"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void versionsAddedAtOnceGetDistinctNumbersOrAConflict(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            Billing b = e.billing();
            Subscription s = setUp(e, Duration.ZERO);
            String id = b.discounts().createOverride(T, s.id(), json.readTree("{\"charge\":\"base\",\"amount\":\"19.00\"}"))
                    .overrideId();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String amount = "1" + i + ".00";
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        b.discounts().addVersion(T, s.id(), id, json.readTree("{\"amount\":\"" + amount + "\"}"));
                        return true;
                    } catch (BillingConflictException conflict) {
                        return false;
                    }
                }));
            }
            go.countDown();
            int added = 0;
            for (java.util.concurrent.Future<Boolean> f : results) {
                added += f.get() ? 1 : 0;
            }
            pool.shutdown();
            assertThat(added).isPositive();
            List<Integer> numbers = b.discounts().versions(T, s.id(), id).stream().map(OverrideVersion::version).toList();
            List<Integer> expected = new ArrayList<>();
            for (int v = 1; v <= added + 1; v++) {
                expected.add(v);
            }
            assertThat(numbers).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void lateUsageOfAFinalizedPeriodIsAdjustedAtTheOverriddenPrice(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            Billing b = e.billing();
            Subscription s = setUp(e, Duration.ZERO);
            b.run(T);
            b.discounts().createOverride(T, s.id(), json.readTree("{\"charge\":\"tokens\","
                    + "\"effective_from\":\"2026-11-01T00:00:00Z\",\"price\":{\"model\":\"unit\",\"unit_price\":\"0.005\"}}"));
            clock.set(Instant.parse("2026-11-25T00:00:00Z"));
            tokens(e, "2026-11-05T00:00:00Z", 1000);
            clock.set(Instant.parse("2026-12-01T00:00:00Z"));
            b.run(T);
            // November: 1,000 x 0.005 = 5.00
            assertThat(lines(at(b, "2026-12-01T00:00:00Z"))).anyMatch(l -> l.startsWith("usage tokens 5.00 [override"));
            // a price change from December must not re-price November
            b.discounts().addVersion(T, s.id(), b.discounts().overrides(T, s.id()).get(0).get(0).overrideId(),
                    json.readTree("{\"effective_from\":\"2026-12-01T00:00:00Z\",\"price\":{\"model\":\"unit\",\"unit_price\":\"0.002\"}}"));
            clock.set(Instant.parse("2026-12-10T00:00:00Z"));
            tokens(e, "2026-11-20T00:00:00Z", 1000); // late, for November
            clock.set(Instant.parse("2027-01-01T00:00:00Z"));
            b.run(T);
            // January 1: no December usage (0.00), the fee 20.00 and November's late 1,000 tokens at November's
            // override price 0.005: +5.00 (not 0.01 nor 0.002)
            Invoice jan = at(b, "2027-01-01T00:00:00Z");
            assertThat(jan.lines()).filteredOn(l -> l.kind() == LineKind.ADJUSTMENT)
                    .extracting(l -> l.amount().plainString()).containsExactly("5.00");
            assertThat(jan.totals().subtotal()).isEqualTo(Money.of("25.00", USD));
        }
    }

    /** What a coupon took off over invoices. */
    static final class DiscountCalculatorTotal {
        static BigDecimal of(Invoice... invoices) {
            BigDecimal sum = BigDecimal.ZERO;
            for (Invoice i : invoices) {
                for (InvoiceLine l : i.lines()) {
                    if (l.kind() == LineKind.DISCOUNT && l.source().map(LineSource::type).orElse("").equals(LineSource.DISCOUNT)) {
                        sum = sum.add(l.amount().amount().negate());
                    }
                }
            }
            return sum;
        }
    }
}

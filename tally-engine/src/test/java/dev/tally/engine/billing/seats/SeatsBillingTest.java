package dev.tally.engine.billing.seats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LineKind;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.Engine;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.TwoEngines;
import dev.tally.engine.TestStore;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.BillingConflictException;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.billing.Subscription;
import dev.tally.engine.billing.UsageEstimate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seats on real invoices, with a fake clock over several periods (customers in UTC: November has 30 days, December
 * 31), on the embedded store and on PostgreSQL. Every amount is computed by hand in the comments.
 */
class SeatsBillingTest {
    static final String T = Engine.DEFAULT_TENANT;
    final ObjectMapper json = Json.newMapper();
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-01T00:00:00Z"));
    final List<String> databases = new ArrayList<>();

    @TempDir
    Path dir;

    static Stream<TestStore> stores() {
        return TestStore.both();
    }

    @AfterEach
    void dropDatabases() {
        databases.forEach(TestDatabases::drop);
    }

    private Subscription subscribe(Billing b, String plan) throws Exception {
        b.setGracePeriod(T, Duration.ZERO);
        b.createPlan(T, json.readTree(plan));
        b.createCustomer(T, json.readTree("{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        return b.subscribe(T, json.readTree("{\"customer\":\"acme\",\"plan\":\"team\"}"));
    }

    private void seats(Billing b, Subscription s, String quantity, String at) throws Exception {
        b.quantities().record(T, s.id(), json.readTree("{\"charge\":\"seats\",\"quantity\":\"" + quantity + "\""
                + (at == null ? "" : ",\"effective_at\":\"" + at + "\"") + "}"));
    }

    private static List<Invoice> invoices(Billing b) {
        return b.invoices(T, Optional.of("acme"), Optional.empty(), 100).stream()
                .sorted(Comparator.comparing(Invoice::boundary)).toList();
    }

    private static List<String> amounts(Invoice i, String charge) {
        return i.lines().stream().filter(l -> l.chargeKey().equals(charge))
                .map(l -> l.kind().wireName() + " " + l.amount().plainString()).toList();
    }

    static final String IN_ADVANCE = "{\"key\":\"team\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
            + "{\"key\":\"seats\",\"type\":\"licensed\",\"name\":\"Seats\",\"timing\":\"in_advance\","
            + "\"price\":{\"model\":\"unit\",\"unit_price\":\"10\"}}]}";

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void billsSeatsInAdvanceAndEachMidPeriodChangeOnTheInvoiceClosingThePeriod(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            Billing b = e.billing();
            Subscription s = subscribe(b, IN_ADVANCE);
            seats(b, s, "5", "2026-11-01T00:00:00Z");
            b.run(T);
            // opening invoice: 5 seats × 10 = 50.00 for November, in advance
            assertThat(invoices(b)).singleElement().satisfies(i -> assertThat(amounts(i, "seats"))
                    .containsExactly("licensed 50.00"));

            clock.set(Instant.parse("2026-11-10T12:00:00Z"));
            seats(b, s, "8", null);
            clock.set(Instant.parse("2026-11-20T09:00:00Z"));
            seats(b, s, "6", null);

            // the live estimate is the closing invoice computed early: 50.00 + 21.00 − 7.33
            clock.set(Instant.parse("2026-11-25T00:00:00Z"));
            UsageEstimate est = b.currentUsage(T, "acme").get(0);
            assertThat(est.charges()).filteredOn(c -> c.charge().equals("seats")).singleElement()
                    .satisfies(c -> {
                        assertThat(c.amount()).isEqualByComparingTo("63.67");
                        assertThat(c.quantity()).as("the seats in force now").isEqualByComparingTo("6");
                        assertThat(c.invoiced()).as("the base is on the opening invoice").isPresent();
                    });
            assertThat(est.alreadyInvoiced()).as("the 50.00 base, not the changes to come").isEqualByComparingTo("50.00");

            clock.set(Instant.parse("2026-12-01T00:00:00Z"));
            b.run(T);
            Invoice nov = invoices(b).get(1);
            // 5 → 8 on Nov 10, 21 of 30 days left: (80 − 50) × 21/30 = 21.00
            // 8 → 6 on Nov 20, 11 of 30 days left: (60 − 80) × 11/30 = −7.333… → −7.33
            // December in advance: 6 × 10 = 60.00
            assertThat(amounts(nov, "seats")).containsExactly("licensed_change 21.00", "licensed_change -7.33",
                    "licensed 60.00");
            assertThat(nov.totals().total().amount()).isEqualByComparingTo("73.67");
            InvoiceLine change = nov.lines().get(0);
            assertThat(change.description()).startsWith("Seats: 5 \u2192 8 from Nov 10 (change qch_");

            // December: 6 → 4 on Dec 16, 16 of 31 days left: (40 − 60) × 16/31 = −10.3225… → −10.32; January: 40.00
            clock.set(Instant.parse("2026-12-16T10:00:00Z"));
            seats(b, s, "4", null);
            clock.set(Instant.parse("2027-01-01T00:00:00Z"));
            b.run(T);
            assertThat(amounts(invoices(b).get(2), "seats")).containsExactly("licensed_change -10.32", "licensed 40.00");

            // the history lists every change, each an immutable fact in order
            assertThat(b.quantities().history(T, s.id()).changes()).extracting(c -> c.quantity().toPlainString())
                    .containsExactly("5", "8", "6", "4");
        }
    }

    @Test
    void refusesABackdatedChangeIntoAFinalizedPeriodButTakesOneIntoADraft() throws Exception {
        try (Engine e = Engine.open(dev.tally.engine.EngineConfig.of(dir), clock)) {
            Billing b = e.billing();
            Subscription s = subscribe(b, IN_ADVANCE);
            b.setGracePeriod(T, Duration.ofHours(1));
            seats(b, s, "5", null);
            b.run(T);
            // the opening draft is still in its grace period: a change at the start is taken, and the draft follows
            seats(b, s, "7", "2026-11-01T00:00:00Z");
            clock.set(Instant.parse("2026-11-01T02:00:00Z"));
            b.run(T);
            Invoice opening = invoices(b).get(0);
            assertThat(opening.status().wireName()).isEqualTo("finalized");
            assertThat(amounts(opening, "seats")).containsExactly("licensed 70.00");

            assertThatThrownBy(() -> seats(b, s, "9", "2026-11-01T00:00:00Z"))
                    .isInstanceOfSatisfying(BillingConflictException.class,
                            x -> assertThat(x.type()).isEqualTo("quantity-before-finalized"));
            assertThatThrownBy(() -> seats(b, s, "9", "2026-10-31T00:00:00Z")).isInstanceOf(ValidationException.class)
                    .hasMessageContaining("effective_at");
            assertThatThrownBy(() -> b.quantities().record(T, s.id(), json.readTree("{\"charge\":\"seats\",\"quantity\":\"2.5\"}")))
                    .isInstanceOf(ValidationException.class).hasMessageContaining("whole number");
            assertThatThrownBy(() -> b.quantities().record(T, s.id(), json.readTree("{\"charge\":\"nope\",\"quantity\":\"2\"}")))
                    .isInstanceOf(ValidationException.class).hasMessageContaining("no licensed charge 'nope'");
            assertThat(b.quantities().history(T, s.id()).changes()).hasSize(2);
        }
    }

    @Test
    void billsTieredSeatsInArrearsWithoutCreditingDecreases() throws Exception {
        try (Engine e = Engine.open(dev.tally.engine.EngineConfig.of(dir), clock)) {
            Billing b = e.billing();
            Subscription s = subscribe(b, "{\"key\":\"team\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                    + "{\"key\":\"seats\",\"type\":\"licensed\",\"name\":\"Nodes\",\"timing\":\"in_arrears\",\"decrease\":\"none\","
                    + "\"price\":{\"model\":\"graduated\",\"tiers\":[{\"up_to\":\"10\",\"unit_price\":\"10\"},{\"unit_price\":\"8\"}]}}]}");
            seats(b, s, "8", null);
            seats(b, s, "14", "2026-11-16T00:00:00Z");
            seats(b, s, "12", "2026-11-21T00:00:00Z");
            b.run(T);
            assertThat(invoices(b)).as("nothing in advance").isEmpty();

            clock.set(Instant.parse("2026-12-01T00:00:00Z"));
            b.run(T);
            // 8 nodes for November: tier 1, 8 × 10 = 80.00
            // 8 → 14 on Nov 16 (15 of 30 days): tiered 14 = 10 × 10 + 4 × 8 = 132; (132 − 80) × 15/30 = 26.00
            // 14 → 12 on Nov 21: not credited, 0.00
            assertThat(amounts(invoices(b).get(0), "seats")).containsExactly("licensed 80.00", "licensed_change 26.00",
                    "licensed_change 0.00");
            assertThat(invoices(b).get(0).totals().total().amount()).isEqualByComparingTo("106.00");
        }
    }

    @Test
    void readsAMeterAtPeriodEndAsTheQuantity() throws Exception {
        try (Engine e = Engine.open(dev.tally.engine.EngineConfig.of(dir), clock)) {
            Billing b = e.billing();
            e.createMeter(T, json.readTree("{\"key\":\"active_users\",\"event_type\":\"login\","
                    + "\"aggregation\":\"unique_count\",\"value_path\":\"user\"}"));
            subscribe(b, "{\"key\":\"team\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                    + "{\"key\":\"users\",\"type\":\"licensed\",\"name\":\"Active users\",\"quantity\":{\"source\":\"meter\","
                    + "\"meter\":\"active_users\"},\"price\":{\"model\":\"unit\",\"unit_price\":\"4\"}}]}");
            StringBuilder body = new StringBuilder("[");
            String[] users = {"ann", "bob", "ann", "cy"};
            for (int i = 0; i < users.length; i++) {
                body.append(i == 0 ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"e").append(i)
                        .append("\",\"source\":\"s\",\"type\":\"login\",\"subject\":\"acme\",\"time\":\"2026-11-0")
                        .append(i + 2).append("T00:00:00Z\",\"data\":{\"user\":\"").append(users[i]).append("\"}}");
            }
            clock.set(Instant.parse("2026-11-06T00:00:00Z"));
            e.ingest(T, e.eventReader().read(body.append("]").toString().getBytes(StandardCharsets.UTF_8),
                    CloudEventReader.BodyShape.BATCH));
            clock.set(Instant.parse("2026-12-01T00:00:00Z"));
            b.run(T);
            // 3 distinct users in November × 4 = 12.00
            Invoice nov = invoices(b).get(0);
            assertThat(nov.lines()).filteredOn(l -> l.chargeKey().equals("users")).singleElement().satisfies(l -> {
                assertThat(l.kind()).isEqualTo(LineKind.LICENSED);
                assertThat(l.quantity()).isEqualByComparingTo("3");
                assertThat(l.amount().amount()).isEqualByComparingTo("12.00");
                assertThat(l.meter()).contains("active_users");
                assertThat(l.eventCount()).isEqualTo(4);
            });

            // a late login of a fourth user on Nov 20, arriving Dec 5: the finalized November invoice stays as it
            // was; the January invoice adjusts November by one user, 4.00, beside December's 0 users
            clock.set(Instant.parse("2026-12-05T00:00:00Z"));
            e.ingest(T, e.eventReader().read(("[{\"specversion\":\"1.0\",\"id\":\"late\",\"source\":\"s\","
                    + "\"type\":\"login\",\"subject\":\"acme\",\"time\":\"2026-11-20T00:00:00Z\","
                    + "\"data\":{\"user\":\"dee\"}}]").getBytes(StandardCharsets.UTF_8), CloudEventReader.BodyShape.BATCH));
            clock.set(Instant.parse("2027-01-01T00:00:00Z"));
            b.run(T);
            assertThat(amounts(invoices(b).get(0), "users")).containsExactly("licensed 12.00");
            Invoice dec = invoices(b).get(1);
            assertThat(amounts(dec, "users")).containsExactly("licensed 0.00", "adjustment 4.00");
            assertThat(dec.lines().get(1).adjustsPeriod()).contains(nov.period());
            // and only once: a later invoice sees the adjustment already billed
            clock.set(Instant.parse("2027-02-01T00:00:00Z"));
            b.run(T);
            assertThat(amounts(invoices(b).get(2), "users")).containsExactly("licensed 0.00");
        }
    }

    @Test
    void aMidPeriodCancellationCreditsTheSeatsBilledInAdvance() throws Exception {
        try (Engine e = Engine.open(dev.tally.engine.EngineConfig.of(dir), clock)) {
            Billing b = e.billing();
            Subscription s = subscribe(b, IN_ADVANCE);
            seats(b, s, "6", null);
            b.run(T);
            clock.set(Instant.parse("2026-11-21T00:00:00Z"));
            b.cancel(T, s.id(), json.readTree("{}"));
            b.run(T);
            // 6 × 10 = 60.00 billed for November; ended Nov 21, 10 of 30 days unused: −60 × 10/30 = −20.00
            assertThat(amounts(invoices(b).get(1), "seats")).containsExactly("licensed_change -20.00");
        }
    }

    @Test
    void aPlanChangeBillsTheNewSeatPriceForTheRestOfThePeriod() throws Exception {
        try (Engine e = Engine.open(dev.tally.engine.EngineConfig.of(dir), clock)) {
            Billing b = e.billing();
            Subscription s = subscribe(b, IN_ADVANCE);
            b.createPlan(T, json.readTree(IN_ADVANCE.replace("\"team\"", "\"pro\"").replace("\"10\"", "\"12\"")));
            seats(b, s, "5", null);
            b.run(T);
            clock.set(Instant.parse("2026-11-16T00:00:00Z"));
            b.changePlan(T, s.id(), json.readTree("{\"plan\":\"pro\"}"));
            clock.set(Instant.parse("2026-12-01T00:00:00Z"));
            b.run(T);
            // 5 seats at 10 → at 12 from Nov 16, 15 of 30 days: (60 − 50) × 15/30 = 5.00; December: 5 × 12 = 60.00
            Invoice nov = invoices(b).get(1);
            assertThat(amounts(nov, "seats")).containsExactly("licensed_change 5.00", "licensed 60.00");
            assertThat(nov.lines().get(0).plan()).isEqualTo("pro");
        }
    }

    @Test
    void aSubscriptionStartedMidPeriodPaysItsSeatsForTheDaysLeft() throws Exception {
        try (Engine e = Engine.open(dev.tally.engine.EngineConfig.of(dir), clock)) {
            Billing b = e.billing();
            b.setGracePeriod(T, Duration.ZERO);
            b.createPlan(T, json.readTree(IN_ADVANCE));
            b.createCustomer(T, json.readTree("{\"external_id\":\"acme\",\"timezone\":\"America/Los_Angeles\","
                    + "\"currency\":\"USD\"}"));
            clock.set(Instant.parse("2026-11-10T22:37:00Z")); // 14:37 on Nov 10 in Los Angeles
            Subscription s = b.subscribe(T, json.readTree("{\"customer\":\"acme\",\"plan\":\"team\"}"));
            seats(b, s, "3", null);
            b.run(T);
            // days 10..30 of November, 21 of 30: 3 × 10 × 21/30 = 21.00
            Invoice opening = invoices(b).get(0);
            assertThat(amounts(opening, "seats")).containsExactly("licensed 21.00");
            assertThat(opening.lines().get(0).description()).isEqualTo("Seats (3) (prorated 21 of 30 days, Nov 10 \u2013 Nov 30)");
        }
    }

    @Test
    void twoProcessesRecordingAtOnceGiveEveryChangeItsOwnSequence() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try (TwoEngines engines = TwoEngines.open(dir, clock)) {
            Engine one = engines.one();
            Engine two = engines.two();
            Subscription s = subscribe(one.billing(), IN_ADVANCE);
            clock.set(Instant.parse("2026-11-05T00:00:00Z"));
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Billing b = (i % 2 == 0 ? one : two).billing();
                int quantity = i + 1;
                done.add(pool.submit(() -> {
                    go.await();
                    seats(b, s, Integer.toString(quantity), null);
                    return null;
                }));
            }
            go.countDown();
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
            assertThat(two.billing().quantities().history(T, s.id()).changes())
                    .extracting(dev.tally.core.billing.seat.QuantityChange::sequence)
                    .containsExactlyInAnyOrderElementsOf(java.util.stream.LongStream.rangeClosed(1, 16).boxed().toList());
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void stillToInvoiceKeepsTheSeatChangesToComeWithTheCouponButNotTheInvoicedBase(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            Billing b = e.billing();
            Subscription s = subscribe(b, "{\"key\":\"team\",\"currency\":\"USD\",\"interval\":\"monthly\","
                    + "\"tax_rates\":[{\"name\":\"Tax\",\"percent\":\"10\"}],\"charges\":["
                    + "{\"key\":\"seats\",\"type\":\"licensed\",\"name\":\"Seats\",\"timing\":\"in_advance\","
                    + "\"price\":{\"model\":\"unit\",\"unit_price\":\"10\"}}]}");
            seats(b, s, "5", "2026-11-01T00:00:00Z");
            b.discounts().createCoupon(T, json.readTree("{\"key\":\"ten\",\"name\":\"Ten\",\"percent_off\":\"10\","
                    + "\"duration\":\"forever\"}"));
            b.discounts().redeem(T, s.id(), json.readTree("{\"coupon\":\"ten\",\"start\":\"2026-11-01T00:00:00Z\"}"));
            b.run(T);
            // opening invoice: 5 seats x 10 = 50.00, coupon -5.00, tax 4.50: 49.50
            assertThat(invoices(b)).singleElement().satisfies(i -> assertThat(i.totals().total().plainString())
                    .isEqualTo("49.50"));
            clock.set(Instant.parse("2026-11-10T12:00:00Z"));
            seats(b, s, "8", null);
            clock.set(Instant.parse("2026-11-20T09:00:00Z"));
            seats(b, s, "6", null);
            clock.set(Instant.parse("2026-11-25T00:00:00Z"));
            // still to invoice for November: the base 50.00 is on the opening invoice; the changes stay:
            // 21.00 - 7.33 = 13.67, coupon 10 % = -1.367 -> -1.37, subtotal 12.30, tax 1.23, total 13.53 (it was 0.00
            // when the whole charge was left out)
            UsageEstimate est = b.currentUsage(T, "acme").get(0);
            assertThat(est.stillToInvoice().total().plainString()).isEqualTo("13.53");
            assertThat(est.stillToInvoice().chargeAmounts().get("seats").plainString()).isEqualTo("12.30");
            clock.set(Instant.parse("2026-12-01T00:00:00Z"));
            b.run(T);
            // the closing invoice: 21.00 - 7.33 + December's 60.00 = 73.67, coupon -7.37 (= November's 1.37 +
            // December's 6.00), subtotal 66.30 = November's 12.30 + December's 54.00
            Invoice nov = invoices(b).get(1);
            assertThat(nov.totals().subtotal().plainString()).isEqualTo("66.30");
        }
    }
}

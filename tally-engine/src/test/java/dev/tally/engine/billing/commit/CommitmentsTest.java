package dev.tally.engine.billing.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LineKind;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.core.ledger.Wallet;
import dev.tally.core.time.ManualClock;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.Engine;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.TwoEngines;
import dev.tally.engine.TestStore;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.BillingConflictException;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.billing.InvoiceStatus;
import dev.tally.engine.billing.Subscription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Commitments over several billing periods with a fake clock, on the embedded store and on PostgreSQL; every amount
 * is checked against the hand computation beside it.
 */
class CommitmentsTest {
    static final String T = Engine.DEFAULT_TENANT;
    static final Currency USD = Currency.getInstance("USD");
    final ObjectMapper json = Json.newMapper();
    final ManualClock clock = new ManualClock(Instant.parse("2027-01-10T00:00:00Z"));
    final List<String> databases = new ArrayList<>();
    int events;

    @TempDir
    Path dir;

    static Stream<TestStore> stores() {
        return TestStore.both();
    }

    @AfterEach
    void dropDatabases() {
        databases.forEach(TestDatabases::drop);
    }

    JsonNode j(String s) throws Exception {
        return json.readTree(s);
    }

    /** A meter of tokens, a plan (tokens at 0.01, optional in-advance fee, 10 % tax) and a UTC customer. */
    Billing setUp(Engine e, String fee) throws Exception {
        Billing b = e.billing();
        b.setGracePeriod(T, Duration.ZERO);
        e.createMeter(T, j("{\"key\":\"tok\",\"event_type\":\"tok\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
        String feeCharge = fee == null ? "" : "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Platform\",\"amount\":\""
                + fee + "\",\"timing\":\"in_advance\"},";
        b.createPlan(T, j("{\"key\":\"p\",\"name\":\"P\",\"currency\":\"USD\",\"interval\":\"monthly\","
                + "\"tax_rates\":[{\"name\":\"Tax\",\"percent\":\"10\"}],\"charges\":[" + feeCharge
                + "{\"key\":\"tok\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tok\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}]}"));
        b.createCustomer(T, j("{\"external_id\":\"c\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        return b;
    }

    /** {@code n} tokens used at {@code at}, ingested then (the clock moves there). */
    void tokens(Engine e, String at, long n) {
        clock.set(Instant.parse(at).plusSeconds(60));
        String body = "[{\"specversion\":\"1.0\",\"id\":\"e" + (++events) + "\",\"source\":\"s\",\"type\":\"tok\","
                + "\"subject\":\"c\",\"time\":\"" + at + "\",\"data\":{\"n\":" + n + "}}]";
        e.ingest(T, e.eventReader().read(body.getBytes(StandardCharsets.UTF_8), CloudEventReader.BodyShape.BATCH));
    }

    /** {@code n} tokens used at {@code at}, ingested now (late usage when {@code at} is in a closed period). */
    void ingest(Engine e, String at, long n) {
        String body = "[{\"specversion\":\"1.0\",\"id\":\"e" + (++events) + "\",\"source\":\"s\",\"type\":\"tok\","
                + "\"subject\":\"c\",\"time\":\"" + at + "\",\"data\":{\"n\":" + n + "}}]";
        e.ingest(T, e.eventReader().read(body.getBytes(StandardCharsets.UTF_8), CloudEventReader.BodyShape.BATCH));
    }

    static Invoice at(Billing b, String boundary) {
        return b.invoices(T, Optional.of("c"), Optional.empty(), 100).stream()
                .filter(i -> i.boundary().equals(Instant.parse(boundary))).findFirst().orElseThrow();
    }

    static List<String> lines(Invoice inv) {
        return inv.lines().stream().map(l -> l.kind().wireName() + " " + l.amount().plainString()).toList();
    }

    static InvoiceLine line(Invoice inv, LineKind kind) {
        return inv.lines().stream().filter(l -> l.kind() == kind).findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aMinimumTopsEachPeriodUpToItsMinimumProratedForThePartialFirstPeriod(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            Billing b = setUp(e, "20.00");
            Subscription s = b.subscribe(T, j("{\"customer\":\"c\",\"plan\":\"p\"}"));
            Commitment m = b.commitments().create(T, s, j("{\"type\":\"minimum\",\"amount\":\"500.00\","
                    + "\"name\":\"Enterprise minimum\"}"), "test");
            assertThat(m.startsAt()).as("defaults to the first period not yet invoiced").isEqualTo(s.start());
            b.run(T);
            // opening invoice Jan 10: the fee for 22 of 31 days, 20.00 x 22/31 = 14.19; no true-up on an opening invoice
            assertThat(lines(at(b, "2027-01-10T00:00:00Z"))).containsExactly("flat_fee 14.19");

            tokens(e, "2027-01-20T00:00:00Z", 10_000);
            clock.set(Instant.parse("2027-02-01T00:00:00Z"));
            b.run(T);
            // January: usage 100.00 + fee 14.19 (on the opening invoice) = 114.19; minimum 500 x 22/31 = 354.84;
            // true-up 354.84 - 114.19 = 240.65; then February's fee 20.00 in advance
            Invoice feb = at(b, "2027-02-01T00:00:00Z");
            assertThat(lines(feb)).containsExactly("usage 100.00", "flat_fee 20.00", "commitment_true_up 240.65");
            InvoiceLine trueUp = line(feb, LineKind.COMMITMENT_TRUE_UP);
            assertThat(trueUp.chargeKey()).isEqualTo(m.id());
            assertThat(trueUp.description()).startsWith("Enterprise minimum: minimum 354.84 (500.00 prorated 22 of 31 days)")
                    .contains("charges 114.19");
            // tax after the true-up: 360.65 x 10 % = 36.07 (36.065 rounded half up)
            assertThat(feb.totals().subtotal().plainString()).isEqualTo("360.65");
            assertThat(feb.totals().total().plainString()).isEqualTo("396.72");

            tokens(e, "2027-02-10T00:00:00Z", 60_000);
            // late usage for January arrives on February 10: 30,000 tokens on January 25
            ingest(e, "2027-01-25T00:00:00Z", 30_000);
            clock.set(Instant.parse("2027-03-01T00:00:00Z"));
            b.run(T);
            // February: 600.00 + 20.00 = 620.00 >= 500.00: no true-up. January re-rated: 40,000 tokens = 400.00,
            // +300.00; its charges are now 414.19 >= 354.84, so its true-up of 240.65 is taken back: January is due
            // max(414.19, 354.84) = 414.19 = 354.84 billed + 300.00 - 240.65
            Invoice mar = at(b, "2027-03-01T00:00:00Z");
            assertThat(lines(mar)).containsExactly("usage 600.00", "flat_fee 20.00", "adjustment 300.00",
                    "adjustment -240.65");
            InvoiceLine correction = mar.lines().get(3);
            assertThat(correction.chargeKey()).isEqualTo(m.id());
            assertThat(correction.adjustsPeriod()).contains(feb.period());
            assertThat(correction.description()).contains("true-up recomputed after late usage")
                    .contains("charges now 414.19");

            clock.set(Instant.parse("2027-04-01T00:00:00Z"));
            b.run(T);
            // March: no usage, 0.00 usage line + fee 20.00: true-up 480.00
            assertThat(lines(at(b, "2027-04-01T00:00:00Z")))
                    .containsExactly("usage 0.00", "flat_fee 20.00", "commitment_true_up 480.00");
            assertThat(b.reconcileLedger(T).differences()).isEmpty();

            // minimums are versions: one from the first open period (April) supersedes it; 0.00 ends the minimum.
            // Two from the same start are refused, and one for closed periods
            Commitment none = b.commitments().create(T, s, j("{\"type\":\"minimum\",\"amount\":\"0.00\"}"), "t");
            assertThat(none.startsAt()).isEqualTo(Instant.parse("2027-04-01T00:00:00Z"));
            assertThatThrownBy(() -> b.commitments().create(T, s, j("{\"type\":\"minimum\",\"amount\":\"1.00\"}"), "t"))
                    .isInstanceOf(BillingConflictException.class);
            clock.set(Instant.parse("2027-05-01T00:00:00Z"));
            b.run(T);
            assertThat(lines(at(b, "2027-05-01T00:00:00Z"))).containsExactly("usage 0.00", "flat_fee 20.00");
            assertThatThrownBy(() -> b.commitments().create(T, s, j("{\"type\":\"minimum\",\"amount\":\"1.00\","
                    + "\"starts_at\":\"2027-02-01T00:00:00Z\",\"ends_at\":\"2027-03-01T00:00:00Z\"}"), "t"))
                    .isInstanceOf(ValidationException.class).hasMessageContaining("starts_at");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aPrepaidCommitmentIsInvoicedUpFrontDrawnDownBeforeTaxThenBilledAtTheOverageRate(TestStore store)
            throws Exception {
        clock.set(Instant.parse("2027-01-01T00:00:00Z"));
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            Billing b = setUp(e, null);
            Subscription s = b.subscribe(T, j("{\"customer\":\"c\",\"plan\":\"p\"}"));
            assertThat(s.nextBoundary()).as("a usage-only plan has no opening invoice")
                    .isEqualTo(Instant.parse("2027-02-01T00:00:00Z"));
            Commitment m = b.commitments().create(T, s, j("{\"type\":\"prepaid\",\"name\":\"Q1 commit\",\"amount\":"
                    + "\"1000.00\",\"ends_at\":\"2027-04-01T00:00:00Z\",\"overage_rate\":\"1.2\"}"), "test");
            b.run(T);
            // invoiced up front at the term's start (the subscription's start): 1,000.00 + 10 % tax
            Invoice jan = at(b, "2027-01-01T00:00:00Z");
            assertThat(lines(jan)).containsExactly("commitment_fee 1000.00");
            assertThat(jan.totals().total().plainString()).isEqualTo("1100.00");
            assertThat(jan.status()).isEqualTo(InvoiceStatus.FINALIZED);

            tokens(e, "2027-01-15T00:00:00Z", 30_000);
            clock.set(Instant.parse("2027-02-01T00:00:00Z"));
            b.run(T);
            // January 300.00, all paid from the commitment before tax: 0.00 due, 700.00 left
            Invoice feb = at(b, "2027-02-01T00:00:00Z");
            assertThat(lines(feb)).containsExactly("usage 300.00", "commitment_drawdown -300.00");
            assertThat(feb.totals().total().plainString()).isEqualTo("0.00");
            assertThat(line(feb, LineKind.COMMITMENT_DRAWDOWN).description())
                    .isEqualTo("Q1 commit: paid from the prepaid commitment (700.00 of 1000.00 left)");

            tokens(e, "2027-02-15T00:00:00Z", 50_000);
            clock.set(Instant.parse("2027-03-01T00:00:00Z"));
            b.run(T);
            assertThat(lines(at(b, "2027-03-01T00:00:00Z"))).containsExactly("usage 500.00", "commitment_drawdown -500.00");

            tokens(e, "2027-03-15T00:00:00Z", 45_000);
            clock.set(Instant.parse("2027-04-01T00:00:00Z"));
            b.run(T);
            // March 450.00: 200.00 left pays 200.00; 250.00 beyond it at 1.2 x list: overage 250.00 x 0.2 = 50.00;
            // subtotal 450 - 200 + 50 = 300.00, tax 30.00
            Invoice apr = at(b, "2027-04-01T00:00:00Z");
            assertThat(lines(apr)).containsExactly("usage 450.00", "commitment_drawdown -200.00",
                    "commitment_overage 50.00");
            InvoiceLine overage = line(apr, LineKind.COMMITMENT_OVERAGE);
            assertThat(overage.quantity()).isEqualByComparingTo("250.00");
            assertThat(overage.unitPrice()).isEqualByComparingTo("0.2");
            assertThat(apr.totals().total().plainString()).isEqualTo("330.00");

            Wallet w = b.commitments().ledger(b.commitments().get(T, s.id(), m.id())).orElseThrow();
            assertThat(w.entries()).extracting(x -> x.kind().wireName() + " " + x.amount().plainString())
                    .containsExactly("grant 1000.00", "drawdown -300.00", "drawdown -500.00", "drawdown -200.00");
            assertThat(w.balance().isZero()).isTrue();

            // after the term: list price again, nothing drawn
            tokens(e, "2027-04-15T00:00:00Z", 10_000);
            clock.set(Instant.parse("2027-05-01T00:00:00Z"));
            b.run(T);
            assertThat(lines(at(b, "2027-05-01T00:00:00Z"))).containsExactly("usage 100.00");
            assertThat(b.reconcileLedger(T).differences()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void whatIsLeftRollsOverIntoANextTermAndAVoidGivesBackExactlyWhatTheInvoiceDrew(TestStore store)
            throws Exception {
        clock.set(Instant.parse("2027-01-01T00:00:00Z"));
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            Billing b = setUp(e, "50.00");
            Subscription s = b.subscribe(T, j("{\"customer\":\"c\",\"plan\":\"p\"}"));
            Commitment m = b.commitments().create(T, s, j("{\"type\":\"prepaid\",\"amount\":\"500.00\","
                    + "\"ends_at\":\"2027-03-01T00:00:00Z\",\"at_term_end\":\"rollover\"}"), "test");
            b.run(T);
            // opening: January's fee 50.00 and the commitment 500.00; the fee is in the term, so the commitment pays it
            assertThat(lines(at(b, "2027-01-01T00:00:00Z")))
                    .containsExactly("flat_fee 50.00", "commitment_fee 500.00", "commitment_drawdown -50.00");

            tokens(e, "2027-01-15T00:00:00Z", 10_000);
            clock.set(Instant.parse("2027-02-01T00:00:00Z"));
            b.run(T);
            // January usage 100.00 + February's fee 50.00 = 150.00 drawn (450 - 150 = 300 left)
            assertThat(lines(at(b, "2027-02-01T00:00:00Z")))
                    .containsExactly("usage 100.00", "flat_fee 50.00", "commitment_drawdown -150.00");

            tokens(e, "2027-02-15T00:00:00Z", 5_000);
            clock.set(Instant.parse("2027-03-01T00:00:00Z"));
            b.run(T);
            // February usage 50.00 drawn (250.00 left); March's fee is after the term: billed (the rolled-over term
            // starts drawing with the next invoice); at the term's end 250.00 rolls over into Mar 1 - May 1
            Invoice mar = at(b, "2027-03-01T00:00:00Z");
            assertThat(lines(mar)).containsExactly("usage 50.00", "flat_fee 50.00", "commitment_drawdown -50.00");
            List<Commitment> all = b.commitments().of(T, s.id());
            assertThat(all).hasSize(2);
            Commitment next = all.get(1);
            assertThat(next.rolledFrom()).contains(m.id());
            assertThat(next.amount().plainString()).isEqualTo("250.00");
            assertThat(next.startsAt()).isEqualTo(Instant.parse("2027-03-01T00:00:00Z"));
            assertThat(next.endsAt()).contains(Instant.parse("2027-05-01T00:00:00Z"));
            assertThat(next.invoicedAt()).as("not invoiced again").isEmpty();
            Wallet old = b.commitments().ledger(m).orElseThrow();
            assertThat(old.entries().get(old.entries().size() - 1).reason()).isEqualTo("Rolled over to commitment " + next.id());
            assertThat(old.balance().isZero()).isTrue();

            tokens(e, "2027-03-15T00:00:00Z", 12_000);
            clock.set(Instant.parse("2027-04-01T00:00:00Z"));
            b.run(T);
            // March usage 120.00 + April's fee 50.00 = 170.00 from the rolled-over 250.00 (80.00 left)
            Invoice apr = at(b, "2027-04-01T00:00:00Z");
            assertThat(lines(apr)).containsExactly("usage 120.00", "flat_fee 50.00", "commitment_drawdown -170.00");
            assertThat(line(apr, LineKind.COMMITMENT_DRAWDOWN).chargeKey()).isEqualTo(next.id());

            b.voidInvoice(T, apr.id());
            Wallet after = b.commitments().ledger(next).orElseThrow();
            assertThat(after.entries()).extracting(x -> x.kind().wireName() + " " + x.amount().plainString())
                    .containsExactly("grant 250.00", "drawdown -170.00", "reversal 170.00");
            assertThat(after.balance().plainString()).isEqualTo("250.00");
            assertThatThrownBy(() -> b.voidInvoice(T, apr.id())).isInstanceOf(BillingConflictException.class);
            assertThat(b.commitments().ledger(next).orElseThrow().entries()).hasSize(3);
            assertThat(b.reconcileLedger(T).differences()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void whatIsLeftAtTheEndOfATermIsForfeitedOrGrantedAsCredits(TestStore store) throws Exception {
        clock.set(Instant.parse("2027-01-01T00:00:00Z"));
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            Billing b = setUp(e, null);
            Subscription s = b.subscribe(T, j("{\"customer\":\"c\",\"plan\":\"p\"}"));
            Commitment credit = b.commitments().create(T, s, j("{\"type\":\"prepaid\",\"amount\":\"100.00\","
                    + "\"ends_at\":\"2027-02-01T00:00:00Z\",\"at_term_end\":\"credit\"}"), "test");
            Commitment forfeit = b.commitments().create(T, s, j("{\"type\":\"prepaid\",\"amount\":\"80.00\","
                    + "\"starts_at\":\"2027-02-01T00:00:00Z\",\"ends_at\":\"2027-03-01T00:00:00Z\"}"), "test");
            b.run(T);
            tokens(e, "2027-01-15T00:00:00Z", 4_000);
            clock.set(Instant.parse("2027-02-01T00:00:00Z"));
            b.run(T);
            // January 40.00 drawn from the first; 60.00 left becomes a paid credit grant; February's term is invoiced
            assertThat(lines(at(b, "2027-02-01T00:00:00Z")))
                    .containsExactly("usage 40.00", "commitment_fee 80.00", "commitment_drawdown -40.00");
            Wallet credits = b.credits().wallet(T, "c", USD);
            assertThat(credits.balance().plainString()).isEqualTo("60.00");
            assertThat(credits.grants().get(0).source()).isEqualTo("commitment:" + credit.id());

            tokens(e, "2027-02-15T00:00:00Z", 3_000);
            clock.set(Instant.parse("2027-03-01T00:00:00Z"));
            b.run(T);
            // February 30.00 from the second commitment; its 50.00 left is forfeited. The invoice total is 0.00, so
            // the credit grant pays nothing yet
            assertThat(lines(at(b, "2027-03-01T00:00:00Z"))).containsExactly("usage 30.00", "commitment_drawdown -30.00");
            Wallet w = b.commitments().ledger(forfeit).orElseThrow();
            assertThat(w.entries()).extracting(x -> x.kind().wireName() + " " + x.amount().plainString() + " " + x.reason())
                    .containsExactly("grant 80.00 Prepaid commitment", "drawdown -30.00 Invoice INV-000003",
                            "expiry -50.00 Forfeited at the end of the term");
            assertThat(b.reconcileLedger(T).differences()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void seatsBilledInAdvanceCountTowardTheMinimumOfThePeriodTheyPayFor(TestStore store) throws Exception {
        clock.set(Instant.parse("2027-01-01T00:00:00Z"));
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            Billing b = e.billing();
            b.setGracePeriod(T, Duration.ZERO);
            e.createMeter(T, j("{\"key\":\"tok\",\"event_type\":\"tok\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
            b.createPlan(T, j("{\"key\":\"p\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                    + "{\"key\":\"seats\",\"type\":\"licensed\",\"name\":\"Seats\",\"timing\":\"in_advance\","
                    + "\"price\":{\"model\":\"unit\",\"unit_price\":\"10\"}},"
                    + "{\"key\":\"tok\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tok\","
                    + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}]}"));
            b.createCustomer(T, j("{\"external_id\":\"c\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
            Subscription s = b.subscribe(T, j("{\"customer\":\"c\",\"plan\":\"p\"}"));
            b.quantities().record(T, s.id(), j("{\"charge\":\"seats\",\"quantity\":\"5\",\"effective_at\":\"2027-01-01T00:00:00Z\"}"));
            b.commitments().create(T, s, j("{\"type\":\"minimum\",\"amount\":\"100.00\"}"), "test");
            b.run(T);
            assertThat(lines(at(b, "2027-01-01T00:00:00Z"))).containsExactly("licensed 50.00");
            tokens(e, "2027-01-15T00:00:00Z", 2_000);
            clock.set(Instant.parse("2027-02-01T00:00:00Z"));
            b.run(T);
            // January: tokens 20.00 + 5 seats x 10 (billed in advance on the opening invoice) = 70.00: true-up 30.00
            assertThat(lines(at(b, "2027-02-01T00:00:00Z")))
                    .containsExactly("usage 20.00", "licensed 50.00", "commitment_true_up 30.00");
        }
    }

    @org.junit.jupiter.api.Test
    void twoProcessesBillingAtOnceDrawEachInvoiceFromTheCommitmentOnce() throws Exception {
        clock.set(Instant.parse("2027-01-01T00:00:00Z"));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (TwoEngines engines = TwoEngines.open(dir, clock)) {
            Engine one = engines.one();
            Engine two = engines.two();
            Billing b = setUp(one, "100.00");
            Subscription s = b.subscribe(T, j("{\"customer\":\"c\",\"plan\":\"p\"}"));
            Commitment m = b.commitments().create(T, s, j("{\"type\":\"prepaid\",\"amount\":\"250.00\","
                    + "\"ends_at\":\"2027-04-01T00:00:00Z\"}"), "test");
            for (String at : List.of("2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z")) {
                clock.set(Instant.parse(at));
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                List<java.util.concurrent.Future<?>> runs = new ArrayList<>();
                for (Engine e : List.of(one, two)) {
                    runs.add(pool.submit(() -> {
                        go.await();
                        return e.billing().run(T);
                    }));
                }
                go.countDown();
                for (java.util.concurrent.Future<?> f : runs) {
                    f.get();
                }
            }
            Billing other = two.billing();
            // Jan 1: fee 100.00 in the term, drawn (150.00 left); Feb 1: 100.00 (50.00 left); Mar 1: 50.00, 50.00 due
            assertThat(lines(at(other, "2027-01-01T00:00:00Z")))
                    .containsExactly("flat_fee 100.00", "commitment_fee 250.00", "commitment_drawdown -100.00");
            assertThat(lines(at(other, "2027-02-01T00:00:00Z")))
                    .containsExactly("usage 0.00", "flat_fee 100.00", "commitment_drawdown -100.00");
            assertThat(lines(at(other, "2027-03-01T00:00:00Z")))
                    .containsExactly("usage 0.00", "flat_fee 100.00", "commitment_drawdown -50.00");
            assertThat(other.invoices(T, Optional.of("c"), Optional.empty(), 100)).hasSize(3);
            Wallet w = other.commitments().ledger(m).orElseThrow();
            assertThat(w.entries()).extracting(x -> x.kind().wireName() + " " + x.amount().plainString())
                    .containsExactly("grant 250.00", "drawdown -100.00", "drawdown -100.00", "drawdown -50.00");
            assertThat(other.reconcileLedger(T).differences()).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aCouponDiscountsTheTrueUpAndThePrepaidCommitmentPaysWhatIsLeftAfterTheDiscount(TestStore store)
            throws Exception {
        clock.set(Instant.parse("2027-01-01T00:00:00Z"));
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            Billing b = setUp(e, null);
            Subscription s = b.subscribe(T, j("{\"customer\":\"c\",\"plan\":\"p\"}"));
            b.commitments().create(T, s, j("{\"type\":\"minimum\",\"amount\":\"100.00\"}"), "test");
            b.commitments().create(T, s, j("{\"type\":\"prepaid\",\"amount\":\"60.00\","
                    + "\"ends_at\":\"2027-04-01T00:00:00Z\"}"), "test");
            b.discounts().createCoupon(T, j("{\"key\":\"ten\",\"name\":\"Ten\",\"percent_off\":\"10\","
                    + "\"duration\":\"forever\"}"));
            b.discounts().redeem(T, s.id(), j("{\"coupon\":\"ten\",\"start\":\"2027-01-01T00:00:00Z\"}"));
            b.run(T);
            // the up-front commitment is not discounted: 60.00 + 6.00 tax
            Invoice jan = at(b, "2027-01-01T00:00:00Z");
            assertThat(lines(jan)).containsExactly("commitment_fee 60.00");
            tokens(e, "2027-01-15T00:00:00Z", 5_000);
            clock.set(Instant.parse("2027-02-01T00:00:00Z"));
            b.run(T);
            // January: tokens 50.00 < 100.00: true-up 50.00; the coupon takes 10 % of each: -5.00 and -5.00;
            // the commitment pays what is left, 90.00, up to its 60.00; subtotal 30.00, tax 3.00
            Invoice feb = at(b, "2027-02-01T00:00:00Z");
            assertThat(lines(feb)).containsExactly("usage 50.00", "commitment_true_up 50.00", "discount -5.00",
                    "discount -5.00", "commitment_drawdown -60.00");
            assertThat(feb.totals().total().plainString()).isEqualTo("33.00");
            assertThat(b.reconcileLedger(T).differences()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void theLiveEstimateStillToInvoiceIsWhatIsLeftAfterThePrepaidCommitmentPaysAndItsOverage(TestStore store)
            throws Exception {
        clock.set(Instant.parse("2027-01-01T00:00:00Z"));
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            Billing b = setUp(e, "20.00");
            Subscription s = b.subscribe(T, j("{\"customer\":\"c\",\"plan\":\"p\"}"));
            b.commitments().create(T, s, j("{\"type\":\"prepaid\",\"amount\":\"100.00\","
                    + "\"ends_at\":\"2027-03-01T00:00:00Z\",\"overage_rate\":\"1.5\"}"), "test");
            b.run(T);
            // opening invoice: January's platform 20.00 in advance, the fee 100.00; the commitment pays the 20.00
            // (80.00 left)
            assertThat(lines(at(b, "2027-01-01T00:00:00Z"))).containsExactly("flat_fee 20.00", "commitment_fee 100.00",
                    "commitment_drawdown -20.00");
            tokens(e, "2027-01-10T00:00:00Z", 6_000);
            // still to invoice for January: tokens 6,000 x 0.01 = 60.00 (the platform is on the opening invoice);
            // the commitment pays min(80.00, 60.00) = 60.00: subtotal 0.00, tax 0.00, total 0.00 (it was 66.00 when
            // the commitment was left out)
            dev.tally.core.ledger.InvoiceCredits.Estimate early = b.currentUsage(T, "c").get(0).stillToInvoice();
            assertThat(early.total().plainString()).isEqualTo("0.00");
            assertThat(early.chargeAmounts().get("tok").plainString()).isEqualTo("60.00");
            tokens(e, "2027-01-20T00:00:00Z", 4_000);
            // tokens 10,000 x 0.01 = 100.00; the commitment pays its 80.00 left; the other 20.00 at 1.5 x list
            // price: overage 20.00 x 0.5 = 10.00; subtotal 100.00 - 80.00 + 10.00 = 30.00, tax 3.00, total 33.00
            dev.tally.core.ledger.InvoiceCredits.Estimate late = b.currentUsage(T, "c").get(0).stillToInvoice();
            assertThat(late.total().plainString()).isEqualTo("33.00");
            assertThat(b.currentUsage(T, "c").get(0).estimate().total().plainString())
                    .as("the usage estimate itself still shows the charges before the commitment: (20 + 100) x 1.1")
                    .isEqualTo("132.00");
            clock.set(Instant.parse("2027-02-01T00:00:00Z"));
            b.run(T);
            // the invoice also bills February's platform 20.00, which the commitment (nothing left) bills at 1.5 x:
            // tokens 100.00 + platform 20.00 = 120.00, drawn 80.00, overage 40.00 x 0.5 = 20.00; subtotal 60.00,
            // tax 6.00, total 66.00 = January's 33.00 above + February's platform 30.00 + 3.00 tax
            Invoice feb = at(b, "2027-02-01T00:00:00Z");
            assertThat(lines(feb)).containsExactly("usage 100.00", "flat_fee 20.00", "commitment_drawdown -80.00",
                    "commitment_overage 20.00");
            assertThat(feb.totals().total().plainString()).isEqualTo("66.00");
        }
    }
}

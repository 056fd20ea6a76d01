package dev.tally.engine.anomaly;

import static dev.tally.engine.anomaly.AnomalyTraffic.JSON;
import static dev.tally.engine.anomaly.AnomalyTraffic.T;
import static dev.tally.engine.anomaly.AnomalyTraffic.calls;
import static dev.tally.engine.anomaly.AnomalyTraffic.meter;
import static dev.tally.engine.anomaly.AnomalyTraffic.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.TestStore;
import dev.tally.engine.billing.InvoiceStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Anomalies on both stores, through a real engine: an incident is raised once while it lasts (one record, one
 * webhook message) and closes when quiet; reviews are idempotent, a contradicting one is refused, and another tenant
 * sees and touches nothing; listing pages newest first with filters; the draft hold and the entitlement cut act
 * until the review; the policy and what detection learned survive a restart.
 */
class AnomaliesStoreTest {
    static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");
    final ManualClock clock = new ManualClock(T0);
    final List<String> databases = new ArrayList<>();
    Path dir;
    String jdbc;

    static java.util.stream.Stream<TestStore> stores() {
        return TestStore.both();
    }

    @AfterEach
    void dropDatabases() {
        databases.forEach(TestDatabases::drop);
    }

    Engine open(TestStore store) throws Exception {
        dir = Files.createTempDirectory("tally-anomalies");
        EngineConfig config = store.config(dir, databases);
        jdbc = config.databaseUrl().orElse("jdbc:sqlite:" + dir.resolve("tally.db"));
        Engine e = Engine.open(config, clock);
        meter(e);
        return e;
    }

    long webhookMessages() throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc); PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*) FROM outbox_messages WHERE type = 'usage.anomaly_detected'");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A minute of a source: 200 events, and {@code duplicated} copies of them in the same request. */
    void minute(Engine e, String source, int duplicated) {
        clock.advance(Duration.ofMinutes(1));
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            batch.add(AnomalyTraffic.event(source + clock.instant().toEpochMilli() + "-" + i, source, "acme",
                    clock.instant()));
        }
        for (int i = 0; i < duplicated; i++) {
            batch.add(batch.get(i % 200));
        }
        send(e, "key_1", batch);
        e.anomalies().evaluate();
    }

    List<Anomaly> all(Engine e, String tenant) {
        return e.anomalies().list(tenant, AnomalyQuery.all()).anomalies();
    }

    /** Three days of 2 calls an hour by {@code customer}, then an hour of 60 (with a policy that counts 10 as enough). */
    Anomaly spike(Engine e, String customer, HoldAction hold) {
        AnomalyPolicy d = AnomalyPolicy.DEFAULTS;
        e.anomalies().putPolicy(T, new AnomalyPolicy(hold, d.spikeRatio(), d.spikeZ(), 10, d.stopHours(),
                d.stopMinExpected(), d.stormRatio(), d.stormFactor(), d.stormMinEvents(), d.newSourceMinEvents(),
                d.skewRatio(), d.skewMinEvents(), d.keyNewCustomers()));
        for (int h = 0; h < 74; h++) {
            clock.set(T0.plus(Duration.ofHours(h)).plusSeconds(60));
            calls(e, clock, "key_1", "app", customer, 2);
        }
        clock.set(T0.plus(Duration.ofHours(74)).plusSeconds(60));
        calls(e, clock, "key_1", "app", customer, 60);
        e.anomalies().evaluate();
        return all(e, T).stream().filter(a -> a.kind() == AnomalyKind.USAGE_SPIKE).findFirst().orElseThrow();
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aStormIsRaisedOnceWhileItLastsAndClosesWhenQuiet(TestStore store) throws Exception {
        try (Engine e = open(store)) {
            for (int m = 0; m < 10; m++) {
                minute(e, "app", 2);
            }
            assertThat(all(e, T)).isEmpty();
            for (int m = 0; m < 3; m++) {
                minute(e, "app", 400);
            }
            List<Anomaly> storm = all(e, T);
            assertThat(storm).hasSize(1);
            Anomaly a = storm.get(0);
            assertThat(a.kind()).isEqualTo(AnomalyKind.DUPLICATE_STORM);
            assertThat(a.subject()).contains("app");
            assertThat(a.active()).isTrue();
            assertThat(a.status()).isEqualTo(AnomalyStatus.OPEN);
            assertThat(a.observed().doubleValue()).isGreaterThan(0.6);
            assertThat(webhookMessages()).isEqualTo(1);
            Instant lastStormMinute = clock.instant();

            for (int m = 0; m < 6; m++) {
                minute(e, "app", 2);
            }
            Anomaly closed = e.anomalies().get(T, a.id());
            assertThat(closed.active()).isFalse();
            assertThat(closed.windowEnd()).contains(lastStormMinute);
            assertThat(closed.lastSeenAt()).isEqualTo(lastStormMinute);

            minute(e, "app", 400);
            assertThat(all(e, T)).hasSize(2).extracting(Anomaly::active).containsExactly(true, false);
            assertThat(webhookMessages()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void reviewsAreIdempotentAContradictingOneIsRefusedAndAnotherTenantTouchesNothing(TestStore store)
            throws Exception {
        try (Engine e = open(store)) {
            e.access().createTenant("other", "Other");
            for (int m = 0; m < 5; m++) {
                minute(e, "app", 2);
            }
            minute(e, "app", 400);
            String id = all(e, T).get(0).id();

            assertThat(e.anomalies().list("other", AnomalyQuery.all()).anomalies()).isEmpty();
            assertThatThrownBy(() -> e.anomalies().get("other", id)).isInstanceOf(AnomalyNotFoundException.class);
            assertThatThrownBy(() -> e.anomalies().acknowledge("other", id, Optional.of("k")))
                    .isInstanceOf(AnomalyNotFoundException.class);
            assertThat(e.anomalies().get(T, id).status()).isEqualTo(AnomalyStatus.OPEN);

            clock.advance(Duration.ofMinutes(1));
            Anomaly acked = e.anomalies().acknowledge(T, id, Optional.of("key_ops"));
            assertThat(acked.status()).isEqualTo(AnomalyStatus.ACKNOWLEDGED);
            assertThat(acked.reviewedBy()).contains("key_ops");
            clock.advance(Duration.ofMinutes(1));
            Anomaly again = e.anomalies().acknowledge(T, id, Optional.of("key_other"));
            assertThat(again).isEqualTo(acked);
            assertThatThrownBy(() -> e.anomalies().dismiss(T, id, Optional.of("key_ops")))
                    .isInstanceOf(AnomalyConflictException.class);
            assertThatThrownBy(() -> e.anomalies().dismiss(T, "ano_nope", Optional.empty()))
                    .isInstanceOf(AnomalyNotFoundException.class);
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void listingPagesNewestFirstWithoutGapsOrRepeatsAndFilters(TestStore store) throws Exception {
        try (Engine e = open(store)) {
            for (int s = 0; s < 7; s++) {
                for (int m = 0; m < 2; m++) {
                    minute(e, "src" + s, 2);
                }
            }
            for (int s = 0; s < 7; s++) {
                minute(e, "src" + s, 400);
            }
            List<Anomaly> everything = all(e, T);
            assertThat(everything).hasSize(7);
            List<String> paged = new ArrayList<>();
            Optional<String> cursor = Optional.empty();
            do {
                AnomalyPage page = e.anomalies().list(T, new AnomalyQuery(Optional.empty(), Optional.empty(),
                        Optional.empty(), Optional.empty(), Optional.empty(), cursor, 3));
                page.anomalies().forEach(a -> paged.add(a.id()));
                cursor = page.next();
            } while (cursor.isPresent());
            assertThat(paged).containsExactlyElementsOf(everything.stream().map(Anomaly::id).toList());
            assertThat(everything.get(0).subject()).contains("src6");

            e.anomalies().dismiss(T, everything.get(1).id(), Optional.empty());
            AnomalyQuery dismissed = new AnomalyQuery(Optional.of(AnomalyStatus.DISMISSED), Optional.empty(),
                    Optional.of(AnomalyKind.DUPLICATE_STORM), Optional.empty(), Optional.empty(), Optional.empty(), 10);
            assertThat(e.anomalies().list(T, dismissed).anomalies()).extracting(Anomaly::id)
                    .containsExactly(everything.get(1).id());
            AnomalyQuery spikes = new AnomalyQuery(Optional.empty(), Optional.empty(),
                    Optional.of(AnomalyKind.USAGE_SPIKE), Optional.empty(), Optional.empty(), Optional.empty(), 10);
            assertThat(e.anomalies().list(T, spikes).anomalies()).isEmpty();
            AnomalyQuery late = new AnomalyQuery(Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.of(everything.get(0).detectedAt()), Optional.empty(), Optional.empty(), 10);
            assertThat(e.anomalies().list(T, late).anomalies()).extracting(Anomaly::id)
                    .containsExactly(everything.get(0).id());
            assertThatThrownBy(() -> e.anomalies().list(T, new AnomalyQuery(Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.of("bm90LWEtY3Vyc29y"), 10)))
                    .isInstanceOf(InvalidAnomalyCursorException.class);
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aDraftHoldKeepsTheCustomersInvoiceInDraftUntilTheAnomalyIsReviewed(TestStore store) throws Exception {
        try (Engine e = open(store)) {
            Anomaly a = spike(e, "acme", HoldAction.DRAFT_HOLD);
            assertThat(a.customer()).contains("acme");
            assertThat(a.hold()).isEqualTo(HoldAction.DRAFT_HOLD);
            var b = e.billing();
            b.setGracePeriod(T, Duration.ZERO);
            b.createPlan(T, JSON.readTree("{\"key\":\"p\",\"name\":\"P\",\"currency\":\"EUR\",\"interval\":\"monthly\","
                    + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"100\","
                    + "\"timing\":\"in_advance\"}]}"));
            for (String c : List.of("acme", "globex")) {
                b.createCustomer(T, JSON.readTree("{\"external_id\":\"" + c + "\",\"timezone\":\"UTC\",\"currency\":\"EUR\"}"));
                b.subscribe(T, JSON.readTree("{\"customer\":\"" + c + "\",\"plan\":\"p\"}"));
            }
            b.run(T);
            assertThat(b.invoices(T, Optional.of("acme"), Optional.empty(), 10)).extracting(i -> i.status())
                    .containsExactly(InvoiceStatus.DRAFT);
            assertThat(b.invoices(T, Optional.of("globex"), Optional.empty(), 10)).extracting(i -> i.status())
                    .containsExactly(InvoiceStatus.FINALIZED);
            clock.advance(Duration.ofMinutes(5));
            b.run(T);
            assertThat(b.invoices(T, Optional.of("acme"), Optional.empty(), 10).get(0).status())
                    .as("still held on the next run").isEqualTo(InvoiceStatus.DRAFT);

            e.anomalies().acknowledge(T, a.id(), Optional.of("key_ops"));
            b.run(T);
            assertThat(b.invoices(T, Optional.of("acme"), Optional.empty(), 10).get(0).status())
                    .isEqualTo(InvoiceStatus.FINALIZED);
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void anEntitlementCutDeniesEveryCheckUntilTheAnomalyIsDismissed(TestStore store) throws Exception {
        try (Engine e = open(store)) {
            var b = e.billing();
            b.createPlan(T, JSON.readTree("{\"key\":\"p\",\"name\":\"P\",\"currency\":\"EUR\",\"interval\":\"monthly\","
                    + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"100\","
                    + "\"timing\":\"in_advance\"}],\"features\":[{\"key\":\"sso\",\"type\":\"boolean\"}]}"));
            b.createCustomer(T, JSON.readTree("{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"EUR\"}"));
            b.subscribe(T, JSON.readTree("{\"customer\":\"acme\",\"plan\":\"p\",\"start\":\"" + T0 + "\"}"));
            assertThat(e.entitlements().check(T, "acme", "sso").decision().allowed()).isTrue();

            Anomaly a = spike(e, "acme", HoldAction.ENTITLEMENT_CUT);
            assertThat(a.hold()).isEqualTo(HoldAction.ENTITLEMENT_CUT);
            var denied = e.entitlements().check(T, "acme", "sso");
            assertThat(denied.decision().allowed()).isFalse();
            assertThat(denied.decision().denial().orElseThrow().wireName()).isEqualTo("customer_suspended");

            e.anomalies().dismiss(T, a.id(), Optional.of("key_ops"));
            assertThat(e.entitlements().check(T, "acme", "sso").decision().allowed()).isTrue();
            e.anomalies().dismiss(T, a.id(), Optional.of("key_ops"));
            assertThat(e.entitlements().check(T, "acme", "sso").decision().allowed()).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void thePolicyAndWhatDetectionLearnedSurviveARestart(TestStore store) throws Exception {
        dir = Files.createTempDirectory("tally-anomalies");
        EngineConfig config = store.config(dir, databases);
        List<String> customers = new ArrayList<>();
        for (int c = 0; c < 20; c++) {
            customers.add("cust" + c);
        }
        try (Engine e = Engine.open(config, clock)) {
            meter(e);
            AnomalyPolicy d = AnomalyPolicy.DEFAULTS;
            e.anomalies().putPolicy(T, new AnomalyPolicy(HoldAction.DRAFT_HOLD, d.spikeRatio(), d.spikeZ(),
                    d.spikeMinEvents(), 4, d.stopMinExpected(), d.stormRatio(), d.stormFactor(), d.stormMinEvents(),
                    d.newSourceMinEvents(), d.skewRatio(), d.skewMinEvents(), d.keyNewCustomers()));
            for (String c : customers) {
                calls(e, clock, "key_1", "app", c, 1);
            }
            e.anomalies().evaluate();
        }
        clock.advance(Duration.ofHours(25));
        try (Engine e = Engine.open(config, clock)) {
            assertThat(e.anomalies().policy(T).hold()).isEqualTo(HoldAction.DRAFT_HOLD);
            assertThat(e.anomalies().policy(T).stopHours()).isEqualTo(4);
            for (String c : customers) {
                calls(e, clock, "key_1", "app", c, 1);
            }
            e.anomalies().evaluate();
            assertThat(all(e, T)).as("the key's customers and the source are known after the restart").isEmpty();
            for (int c = 0; c < 12; c++) {
                calls(e, clock, "key_1", "app", "stranger" + c, 1);
            }
            clock.advance(Duration.ofMinutes(1));
            e.anomalies().evaluate();
            assertThat(all(e, T)).extracting(a -> a.kind().wireName() + " " + a.subject().orElse(""))
                    .containsExactly("key_customer_spread key_1");
        }
    }
}

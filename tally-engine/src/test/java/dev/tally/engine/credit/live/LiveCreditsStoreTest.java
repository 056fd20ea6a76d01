package dev.tally.engine.credit.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.core.ledger.Funding;
import dev.tally.core.money.Money;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.TestStore;
import dev.tally.engine.credit.Credits;
import dev.tally.engine.entitlement.EntitlementAnswer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Live balances on the embedded store and on PostgreSQL: kept up to date from ingest and the ledger by the refresh
 * (not by reads), balance alerts and depletion fired once per crossing and re-armed, entitlements cut off at zero in
 * each mode, and two processes evaluating at once announcing each crossing once. Tokens at 0.01 USD, no tax.
 */
class LiveCreditsStoreTest {
    static final String T = Engine.DEFAULT_TENANT;
    static final Currency USD = Currency.getInstance("USD");
    final ObjectMapper json = Json.newMapper();
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-11T00:00:00Z"));
    final List<String> databases = new ArrayList<>();
    final AtomicInteger ids = new AtomicInteger();

    @TempDir
    Path dir;

    static Stream<TestStore> stores() {
        return TestStore.both();
    }

    @AfterEach
    void dropDatabases() {
        databases.forEach(TestDatabases::drop);
    }

    static Money usd(String s) {
        return new Money(new BigDecimal(s), USD);
    }

    void setUp(Engine e, String... customers) throws Exception {
        e.createMeter(T, json.readTree("{\"key\":\"tokens\",\"event_type\":\"tok\",\"aggregation\":\"sum\","
                + "\"value_path\":\"n\"}"));
        e.billing().createPlan(T, json.readTree("""
                {"key":"prepaid","currency":"USD","interval":"monthly","charges":[{"key":"tokens","type":"usage",
                 "name":"Tokens","meter":"tokens","price":{"model":"unit","unit_price":"0.01"}}],
                 "features":[{"key":"api","type":"boolean"},{"key":"chat","type":"boolean"},{"key":"batch","type":"boolean"}]}"""));
        for (String c : customers) {
            e.billing().createCustomer(T, json.readTree("{\"external_id\":\"" + c + "\",\"timezone\":\"UTC\","
                    + "\"currency\":\"USD\"}"));
            e.billing().subscribe(T, json.readTree("{\"customer\":\"" + c + "\",\"plan\":\"prepaid\","
                    + "\"start\":\"2026-11-01T00:00:00Z\"}"));
        }
    }

    void grant(Engine e, String customer, String amount) {
        e.billing().credits().grant(T, customer, new Credits.GrantRequest(usd(amount), 100, Optional.empty(),
                Optional.empty(), Set.of(), Funding.FREE, Optional.empty(), "prepaid"), "test");
    }

    void tokens(Engine e, String customer, int n) {
        String body = "[{\"specversion\":\"1.0\",\"id\":\"e" + ids.incrementAndGet() + "\",\"source\":\"s\","
                + "\"type\":\"tok\",\"subject\":\"" + customer + "\",\"time\":\"" + clock.instant().minusSeconds(60)
                + "\",\"data\":{\"n\":" + n + "}}]";
        assertThat(e.ingest(T, e.eventReader().read(body.getBytes(StandardCharsets.UTF_8),
                CloudEventReader.BodyShape.BATCH)).accepted()).isEqualTo(1);
    }

    static Money cached(Engine e, String customer) {
        return e.liveCredits().snapshot(T, customer).wallet(USD).orElseThrow().liveBalance();
    }

    /** The JDBC address of the engine's database (the test reads the outbox directly). */
    String jdbc;

    Engine open(EngineConfig config) {
        jdbc = config.databaseUrl().orElse("jdbc:sqlite:" + dir.resolve("tally.db"));
        return Engine.open(config, clock);
    }

    long messages(Engine e, String type) throws Exception {
        return payloads(e, type).size();
    }

    List<JsonNode> payloads(Engine e, String type) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbc);
                PreparedStatement ps = c.prepareStatement("SELECT payload FROM outbox_messages WHERE type = ? ORDER BY id")) {
            ps.setString(1, type);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(json.readTree(rs.getString(1)));
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void theLiveBalanceFollowsIngestAndTheLedgerThroughTheRefreshNotThroughReads(TestStore store) throws Exception {
        try (Engine e = open(store.config(dir, databases))) {
            setUp(e, "acme");
            grant(e, "acme", "50.00");
            e.evaluateAlerts();
            assertThat(cached(e, "acme")).isEqualTo(usd("50.00"));

            tokens(e, "acme", 1234);
            assertThat(cached(e, "acme")).as("ingest only marks the customer").isEqualTo(usd("50.00"));
            e.evaluateAlerts();
            assertThat(cached(e, "acme")).as("12.34 of tokens").isEqualTo(usd("37.66"));
            assertThat(e.liveCredits().liveBalance(T, "acme", USD).orElseThrow().liveBalance()).isEqualTo(usd("37.66"));

            grant(e, "acme", "10.00");
            e.evaluateAlerts();
            assertThat(cached(e, "acme")).as("the sweep saw the new ledger entry").isEqualTo(usd("47.66"));

            LiveWallet w = e.liveCredits().liveBalance(T, "acme", USD).orElseThrow();
            assertThat(w.balance()).isEqualTo(usd("60.00"));
            assertThat(w.usageCharges()).isEqualTo(usd("12.34"));
            // 10 days into the period: 12.34 / 10 = 1.234 a day, shown 1.23; 47.66 / 1.234 = 38.6 days
            assertThat(w.burnPerDay()).contains(usd("1.23"));
            assertThat(w.runwayDays()).hasValueSatisfying(d -> assertThat(d).isEqualByComparingTo("38.6"));
            assertThat(e.liveCredits().liveBalance(T, "acme", Currency.getInstance("EUR"))).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void balanceLowAndDepletedFireOncePerCrossingAndReArmWhenTheBalanceGoesBackUp(TestStore store) throws Exception {
        try (Engine e = open(store.config(dir, databases))) {
            setUp(e, "acme");
            grant(e, "acme", "50.00");
            String alert = e.liveCredits().alerts().create(T, json.readTree(
                    "{\"customer\":\"acme\",\"metric\":\"balance\",\"thresholds\":[\"20.00\",\"10\"],\"name\":\"low\"}")).id();
            e.evaluateAlerts();
            assertThat(messages(e, "wallet.balance_low")).isZero();

            tokens(e, "acme", 3500);   // live 15.00: below 20
            e.evaluateAlerts();
            e.evaluateAlerts();
            tokens(e, "acme", 100);    // live 14.00: still below 20, above 10
            e.evaluateAlerts();
            assertThat(messages(e, "wallet.balance_low")).as("once for the crossing of 20").isEqualTo(1);

            grant(e, "acme", "30.00");  // live 44.00: re-armed
            e.evaluateAlerts();
            tokens(e, "acme", 3900);   // live 5.00: below 20 and below 10
            e.evaluateAlerts();
            List<JsonNode> low = payloads(e, "wallet.balance_low");
            assertThat(low).extracting(p -> p.at("/data/threshold").asText() + " " + p.at("/data/live_balance").asText()
                    + " #" + p.at("/data/crossing").asInt()).containsExactly("20 15.00 #1", "10 5.00 #1", "20 5.00 #2");
            assertThat(low.get(0).get("type").asText()).isEqualTo("wallet.balance_low");
            assertThat(low.get(0).at("/data/alert").asText()).isEqualTo(alert);
            assertThat(low.get(0).at("/data/alert_name").asText()).isEqualTo("low");
            assertThat(messages(e, "wallet.depleted")).isZero();

            tokens(e, "acme", 500);    // 80.00 of usage against 80.00 of credits: depleted
            e.evaluateAlerts();
            tokens(e, "acme", 100);    // beyond: 1.00 short
            e.evaluateAlerts();
            List<JsonNode> depleted = payloads(e, "wallet.depleted");
            assertThat(depleted).hasSize(1);
            assertThat(depleted.get(0).at("/data/live_balance").asText()).isEqualTo("0.00");
            assertThat(depleted.get(0).at("/data/customer").asText()).isEqualTo("acme");

            grant(e, "acme", "5.00");  // live 4.00: depletion re-armed
            e.evaluateAlerts();
            tokens(e, "acme", 400);
            e.evaluateAlerts();
            assertThat(messages(e, "wallet.depleted")).as("a second crossing of zero").isEqualTo(2);

            List<WalletAlerts.Status> statuses = e.liveCredits().alertStatuses(T, "acme");
            assertThat(statuses).hasSize(1);
            assertThat(statuses.get(0).thresholds()).allSatisfy(t -> {
                assertThat(t.crossed()).isTrue();
                assertThat(t.firedAt()).isPresent();
            });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aFeatureThatRequiresABalanceIsCutOffAtZeroHardSoftOrAfterTheGrace(TestStore store) throws Exception {
        try (Engine e = open(store.config(dir, databases))) {
            setUp(e, "acme", "postpaid");
            grant(e, "acme", "10.00");
            BalanceRequirements req = e.liveCredits().requirements();
            req.put(T, "api", json.readTree("{\"mode\":\"hard\"}"));
            req.put(T, "chat", json.readTree("{\"mode\":\"soft\"}"));
            req.put(T, "batch", json.readTree("{\"mode\":\"grace\",\"grace_amount\":\"2.00\"}"));
            e.evaluateAlerts();
            assertThat(allowed(e, "acme")).containsExactly("api true", "batch true", "chat true");

            tokens(e, "acme", 999);    // 9.99: 0.01 left
            e.evaluateAlerts();
            assertThat(allowed(e, "acme")).containsExactly("api true", "batch true", "chat true");

            tokens(e, "acme", 1);      // exactly 10.00: depleted, nothing short
            e.evaluateAlerts();
            EntitlementAnswer api = e.entitlements().check(T, "acme", "api");
            assertThat(api.decision().denial().orElseThrow().wireName()).isEqualTo("balance_depleted");
            assertThat(allowed(e, "acme")).containsExactly("api false", "batch true", "chat true");

            tokens(e, "acme", 199);    // 1.99 short: inside the grace of 2.00
            e.evaluateAlerts();
            assertThat(allowed(e, "acme")).containsExactly("api false", "batch true", "chat true");
            tokens(e, "acme", 1);      // 2.00 short: the grace is used up
            e.evaluateAlerts();
            assertThat(allowed(e, "acme")).containsExactly("api false", "batch false", "chat true");

            // a customer without a wallet keeps what its plan says, unless the requirement denies it
            assertThat(allowed(e, "postpaid")).containsExactly("api true", "batch true", "chat true");
            req.put(T, "api", json.readTree("{\"mode\":\"hard\",\"without_wallet\":\"deny\"}"));
            assertThat(e.entitlements().check(T, "postpaid", "api").allowed()).isFalse();

            grant(e, "acme", "50.00");  // a top-up turns every one back on
            e.evaluateAlerts();
            assertThat(allowed(e, "acme")).containsExactly("api true", "batch true", "chat true");
        }
    }

    List<String> allowed(Engine e, String customer) {
        List<String> out = new ArrayList<>();
        for (String f : List.of("api", "batch", "chat")) {
            out.add(f + " " + e.entitlements().check(T, customer, f).allowed());
        }
        return out;
    }

    @Test
    void twoProcessesRefreshingAtOnceAnnounceEachCrossingOnce() throws Exception {
        String url = TestDatabases.createMigrated();
        databases.add(url);
        jdbc = url;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Engine a = Engine.open(EngineConfig.of(dir.resolve("a")).onPostgres(url)
                        .withSecrets(TestDatabases.SECRETS), clock);
                Engine b = Engine.open(EngineConfig.of(dir.resolve("b")).onPostgres(url)
                        .withSecrets(TestDatabases.SECRETS), clock)) {
            setUp(a, "acme");
            grant(a, "acme", "50.00");
            a.liveCredits().alerts().create(T, json.readTree(
                    "{\"plan\":\"prepaid\",\"metric\":\"balance\",\"thresholds\":[\"25.00\"]}"));
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> work = new ArrayList<>();
            for (Engine e : List.of(a, b)) {
                work.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < 10; i++) {
                        tokens(e, "acme", 600);  // 60.00 of usage in all: below 25 once, then depleted once
                        e.evaluateAlerts();
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : work) {
                f.get();
            }
            a.evaluateAlerts();
            b.evaluateAlerts();
            assertThat(messages(a, "wallet.balance_low")).isEqualTo(1);
            assertThat(messages(a, "wallet.depleted")).isEqualTo(1);
            assertThat(cached(a, "acme")).isEqualTo(usd("0.00"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void timeAloneRefreshesASnapshotWhenAGrantExpires() throws Exception {
        try (Engine e = open(EngineConfig.of(dir))) {
            setUp(e, "acme");
            e.billing().credits().grant(T, "acme", new Credits.GrantRequest(usd("5.00"), 1, Optional.empty(),
                    Optional.of(clock.instant().plus(Duration.ofDays(2))), Set.of(), Funding.FREE, Optional.empty(),
                    "promo"), "test");
            grant(e, "acme", "20.00");
            e.evaluateAlerts();
            assertThat(cached(e, "acme")).isEqualTo(usd("25.00"));
            clock.advance(Duration.ofDays(3));
            e.evaluateAlerts();
            assertThat(cached(e, "acme")).as("the promotion expired").isEqualTo(usd("20.00"));
        }
    }
}

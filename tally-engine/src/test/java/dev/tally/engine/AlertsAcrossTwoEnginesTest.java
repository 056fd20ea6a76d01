package dev.tally.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.entitlement.EntitlementAnswer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two engines on one PostgreSQL database, as two Tally processes: a subscription, an override or an alert made on
 * one is seen by the other, a hard limit reached through one is {@code allowed: false} on the other at once, and
 * with both ingesting and evaluating at the same time each threshold fires once (one firing row, one
 * usage.threshold_crossed message) and the exhausted limit is announced once.
 */
class AlertsAcrossTwoEnginesTest {
    static final String T = Engine.DEFAULT_TENANT;
    final ObjectMapper json = Json.newMapper();
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-10T12:00:00Z"));
    final AtomicInteger ids = new AtomicInteger();
    TwoEngines engines;
    Engine a;
    Engine b;

    @TempDir
    Path dir;

    @BeforeEach
    void open() {
        engines = TwoEngines.open(dir, clock);
        a = engines.one();
        b = engines.two();
    }

    @AfterEach
    void close() {
        engines.close();
    }

    void tokens(Engine e, String customer, int n) {
        String body = "[{\"specversion\":\"1.0\",\"id\":\"e" + ids.incrementAndGet() + "\",\"source\":\"s\","
                + "\"type\":\"tok\",\"subject\":\"" + customer + "\",\"time\":\"" + clock.instant() + "\",\"data\":{\"n\":"
                + n + "}}]";
        assertThat(e.ingest(T, e.eventReader().read(body.getBytes(StandardCharsets.UTF_8),
                CloudEventReader.BodyShape.BATCH)).accepted()).isEqualTo(1);
    }

    void setUp(Engine e) throws Exception {
        e.createMeter(T, json.readTree("{\"key\":\"n\",\"event_type\":\"tok\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
        e.billing().createPlan(T, json.readTree("""
                {"key":"pro","currency":"USD","interval":"monthly","charges":[{"key":"base","type":"flat","amount":"10"}],
                 "features":[{"key":"tokens","type":"metered","meter":"n","limit":"1000"},{"key":"sso","type":"boolean"}]}"""));
        e.billing().createCustomer(T, json.readTree("{\"external_id\":\"acme\",\"currency\":\"USD\"}"));
        e.billing().subscribe(T, json.readTree("{\"customer\":\"acme\",\"plan\":\"pro\",\"start\":\"2026-11-01T00:00:00Z\"}"));
    }

    long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(engines.url()); PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void subscriptionsOverridesAndUsageMadeThroughOneEngineAreAnsweredByTheOther() throws Exception {
        setUp(a);

        EntitlementAnswer sso = b.entitlements().check(T, "acme", "sso");
        assertThat(sso.allowed()).as("B learned of A's customer and subscription").isTrue();

        tokens(a, "acme", 999);
        assertThat(b.entitlements().check(T, "acme", "tokens").used()).hasValueSatisfying(u -> assertThat(u).isEqualByComparingTo("999"));
        tokens(a, "acme", 1);
        EntitlementAnswer reached = b.entitlements().check(T, "acme", "tokens");
        assertThat(reached.allowed()).as("a hard limit reached through A is false on B at once").isFalse();

        b.entitlements().putOverride(T, "acme", "tokens", json.readTree("{\"limit\":\"2000\"}"));
        assertThat(a.entitlements().check(T, "acme", "tokens").allowed()).as("A sees B's override").isTrue();
        b.entitlements().deleteOverride(T, "acme", "tokens");
        assertThat(a.entitlements().check(T, "acme", "tokens").allowed()).isFalse();
    }

    @Test
    void eachThresholdFiresOnceAcrossTwoEnginesIngestingAndEvaluatingAtOnce() throws Exception {
        setUp(a);
        String id = a.alerts().create(T, json.readTree("{\"customer\":\"acme\",\"metric\":\"usage\",\"meter\":\"n\","
                + "\"thresholds\":[\"500\",\"1500\",\"2500\"]}")).id();
        assertThat(b.alerts().get(T, id).rule().thresholds()).hasSize(3);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicBoolean ingesting = new AtomicBoolean(true);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> ingesters = new ArrayList<>();
            for (Engine e : List.of(a, b)) {
                ingesters.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < 60; i++) {
                        tokens(e, "acme", 25);
                    }
                    return null;
                }));
            }
            List<Future<?>> evaluators = new ArrayList<>();
            for (Engine e : List.of(a, b)) {
                evaluators.add(pool.submit(() -> {
                    go.await();
                    while (ingesting.get()) {
                        e.evaluateAlerts();
                    }
                    e.evaluateAlerts();
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : ingesters) {
                f.get();
            }
            ingesting.set(false);
            for (Future<?> f : evaluators) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        a.evaluateAlerts();
        b.evaluateAlerts();

        // 2 x 60 x 25 = 3,000 tokens: every threshold, and the 1,000 limit, reached once
        assertThat(count("SELECT count(*) FROM alert_firings WHERE alert_id = '" + id + "'")).isEqualTo(3);
        assertThat(count("SELECT count(DISTINCT threshold) FROM alert_firings")).isEqualTo(3);
        assertThat(count("SELECT count(*) FROM outbox_messages WHERE type = 'usage.threshold_crossed'")).isEqualTo(3);
        assertThat(count("SELECT count(*) FROM outbox_messages WHERE type = 'entitlement.exhausted'")).isEqualTo(1);
        assertThat(a.entitlements().check(T, "acme", "tokens").used())
                .hasValueSatisfying(u -> assertThat(u).isEqualByComparingTo("3000"));
    }
}

package dev.tally.engine.revenue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.TestStore;
import dev.tally.engine.TwoEngines;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.billing.InvoiceStatus;
import dev.tally.engine.billing.Subscription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The revenue rollup against the per-customer computation it replaces ({@link RevenueReference}): after random
 * histories of ingest, cancels, subscriptions, plan changes, cancellations, billing runs, finalizations, payments and
 * voids, with a fake clock crossing period boundaries (monthly calendar and anniversary periods, zones with half-hour
 * offsets), a full refresh leaves per-currency figures equal to the reference exactly, on both stores; and a
 * scheduled (budgeted) refresh catches up with what time alone changed. On PostgreSQL, a second process's changes
 * reach the first through the database.
 */
class OpenRevenuePropertiesTest {
    static final String T = Engine.DEFAULT_TENANT;
    static final List<ZoneId> ZONES = List.of(ZoneOffset.UTC, ZoneId.of("Asia/Kolkata"), ZoneId.of("America/New_York"));
    final ObjectMapper json = Json.newMapper();
    final ManualClock clock = new ManualClock(Instant.parse("2026-10-27T09:00:00Z"));
    final List<String> databases = new ArrayList<>();
    int ids;

    @TempDir
    Path dir;

    static Stream<TestStore> stores() {
        return TestStore.both();
    }

    @AfterEach
    void dropDatabases() {
        databases.forEach(TestDatabases::drop);
    }

    void catalog(Engine e) throws Exception {
        e.createMeter(T, json.readTree("{\"key\":\"calls\",\"event_type\":\"call\",\"aggregation\":\"count\"}"));
        e.createMeter(T, json.readTree("{\"key\":\"tokens\",\"event_type\":\"tok\",\"aggregation\":\"sum\","
                + "\"value_path\":\"n\"}"));
        e.billing().createPlan(T, json.readTree("""
                {"key":"basic","currency":"USD","interval":"monthly","charges":[
                 {"key":"base","type":"flat","name":"Base","amount":"10","timing":"in_advance"},
                 {"key":"calls","type":"usage","name":"Calls","meter":"calls","price":{"model":"unit","unit_price":"0.5"}}]}"""));
        e.billing().createPlan(T, json.readTree("""
                {"key":"pro","currency":"USD","interval":"monthly","charges":[
                 {"key":"base","type":"flat","name":"Base","amount":"30","timing":"in_arrears"},
                 {"key":"tokens","type":"usage","name":"Tokens","meter":"tokens","price":{"model":"unit","unit_price":"0.013"}},
                 {"key":"calls","type":"usage","name":"Calls","meter":"calls","price":{"model":"unit","unit_price":"0.25"}}]}"""));
        e.billing().createPlan(T, json.readTree("""
                {"key":"euro","currency":"EUR","interval":"monthly","charges":[
                 {"key":"base","type":"flat","name":"Base","amount":"7.5","timing":"in_advance"},
                 {"key":"tokens","type":"usage","name":"Tokens","meter":"tokens","price":{"model":"unit","unit_price":"0.021"}}]}"""));
        e.billing().createPlan(T, json.readTree("""
                {"key":"euro-plus","currency":"EUR","interval":"monthly","charges":[
                 {"key":"tokens","type":"usage","name":"Tokens","meter":"tokens","price":{"model":"unit","unit_price":"0.03"}}]}"""));
    }

    static boolean euro(int customer) {
        return customer % 3 == 2;
    }

    void customer(Engine e, int i) throws Exception {
        e.billing().createCustomer(T, json.readTree("{\"external_id\":\"c" + i + "\",\"timezone\":\""
                + ZONES.get(i % ZONES.size()).getId() + "\",\"currency\":\"" + (euro(i) ? "EUR" : "USD") + "\"}"));
    }

    void event(Engine e, Random r, String customer, List<String> sent) {
        String id = "e" + ids++;
        boolean calls = r.nextBoolean();
        String body = "[{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"s\",\"type\":\""
                + (calls ? "call" : "tok") + "\",\"subject\":\"" + customer + "\",\"time\":\""
                + clock.instant().minusSeconds(r.nextInt(7200)) + "\""
                + (calls ? "" : ",\"data\":{\"n\":" + (1 + r.nextInt(5000)) + "}") + "}]";
        if (e.ingest(T, e.eventReader().read(body.getBytes(StandardCharsets.UTF_8),
                CloudEventReader.BodyShape.BATCH)).accepted() == 1) {
            sent.add(id);
        }
    }

    /** The month of now in {@code zone}: the window the dashboard asks about. */
    Instant[] month(ZoneId zone) {
        YearMonth m = YearMonth.from(clock.instant().atZone(zone));
        return new Instant[] {m.atDay(1).atStartOfDay(zone).toInstant(), m.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant()};
    }

    void assertEqualsReference(Engine e, String when) {
        for (ZoneId zone : ZONES) {
            Instant[] m = month(zone);
            RevenueOverview o = e.revenue().overview(T, m[0], m[1]);
            assertThat(o.currencies()).as(when + " in " + zone)
                    .isEqualTo(RevenueReference.of(e.billing(), T, m[0], m[1]));
            assertThat(o.pendingCustomers()).as(when).isZero();
        }
    }

    /** One random history; returns how many of each kind of step succeeded. */
    Map<String, Integer> history(Engine writer, Engine reader, long seed, int steps, Runnable refresh) throws Exception {
        Random r = new Random(seed);
        Map<String, Integer> done = new TreeMap<>();
        List<String> sent = new ArrayList<>();
        int customers = 0;
        for (int step = 0; step < steps; step++) {
            int op = r.nextInt(100);
            String kind;
            try {
                if (op < 8 || customers < 3) {
                    customer(writer, customers++);
                    kind = "customer";
                } else if (op < 40) {
                    event(writer, r, "c" + r.nextInt(customers), sent);
                    kind = "event";
                } else if (op < 46 && !sent.isEmpty()) {
                    writer.cancel(T, "s", sent.remove(r.nextInt(sent.size())));
                    kind = "cancel";
                } else if (op < 58) {
                    int c = r.nextInt(customers);
                    String plan = euro(c) ? (r.nextBoolean() ? "euro" : "euro-plus") : (r.nextBoolean() ? "basic" : "pro");
                    Instant start = r.nextInt(4) == 0 ? clock.instant().plus(Duration.ofHours(1 + r.nextInt(30)))
                            : clock.instant();
                    writer.billing().subscribe(T, json.readTree("{\"customer\":\"c" + c + "\",\"plan\":\"" + plan
                            + "\",\"start\":\"" + start + "\"" + (r.nextBoolean() ? ",\"billing\":\"anniversary\"" : "")
                            + "}"));
                    kind = "subscribe";
                } else if (op < 64) {
                    Subscription s = live(writer, r).orElseThrow(() -> new IllegalStateException("none live"));
                    String current = s.currentPhase().plan();
                    String to = switch (current) {
                        case "basic" -> "pro";
                        case "pro" -> "basic";
                        case "euro" -> "euro-plus";
                        default -> "euro";
                    };
                    writer.billing().changePlan(T, s.id(), json.readTree("{\"plan\":\"" + to + "\"}"));
                    kind = "plan change";
                } else if (op < 69) {
                    Subscription s = live(writer, r).orElseThrow(() -> new IllegalStateException("none live"));
                    writer.billing().cancel(T, s.id(), json.readTree(r.nextBoolean() ? "{\"at_period_end\":true}" : "{}"));
                    kind = "cancel subscription";
                } else if (op < 85) {
                    clock.advance(Duration.ofMinutes(20 + r.nextInt(r.nextInt(5) == 0 ? 20_000 : 600)));
                    kind = "time";
                } else if (op < 92) {
                    writer.billing().run(T);
                    kind = "billing run";
                } else {
                    List<Invoice> finalized = writer.billing().invoices(T, Optional.empty(),
                            Optional.of(InvoiceStatus.FINALIZED), 1000);
                    List<Invoice> drafts = writer.billing().invoices(T, Optional.empty(),
                            Optional.of(InvoiceStatus.DRAFT), 1000);
                    if (op < 95 && !drafts.isEmpty()) {
                        writer.billing().finalizeInvoice(T, drafts.get(r.nextInt(drafts.size())).id());
                        kind = "finalize";
                    } else if (op < 98 && !finalized.isEmpty()) {
                        writer.billing().markPaid(T, finalized.get(r.nextInt(finalized.size())).id());
                        kind = "paid";
                    } else if (!finalized.isEmpty()) {
                        writer.billing().voidInvoice(T, finalized.get(r.nextInt(finalized.size())).id());
                        kind = "void";
                    } else {
                        continue;
                    }
                }
            } catch (dev.tally.core.validation.ValidationException | dev.tally.engine.billing.BillingConflictException
                    | IllegalStateException refused) {
                continue; // a step the random history cannot take now (nothing live, a period already invoiced)
            }
            done.merge(kind, 1, Integer::sum);
            if (step % 7 == 6) {
                refresh.run();
                assertEqualsReference(reader, "seed " + seed + " after step " + step + " (" + kind + ")");
            }
        }
        refresh.run();
        assertEqualsReference(reader, "seed " + seed + " at the end");
        return done;
    }

    Optional<Subscription> live(Engine e, Random r) {
        List<Subscription> live = e.billing().subscriptionsNotEndedAt(T, clock.instant()).stream()
                .filter(s -> s.end().isEmpty() && !s.start().isAfter(clock.instant())).toList();
        return live.isEmpty() ? Optional.empty() : Optional.of(live.get(r.nextInt(live.size())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void afterAFullRefreshTheRollupEqualsThePerCustomerComputation(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            catalog(e);
            Map<String, Integer> done = new TreeMap<>();
            for (long seed = 1; seed <= 2; seed++) {
                history(e, e, seed, 120, e::evaluateAlerts).forEach((k, v) -> done.merge(k, v, Integer::sum));
            }
            assertThat(done).as("every kind of step happened").containsKeys("customer", "event", "cancel", "subscribe",
                    "plan change", "cancel subscription", "time", "billing run", "finalize", "paid", "void");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void periodEndsAloneAreCaughtByTheScheduledRefreshAndTheRestartStartsFromNothing(TestStore store) throws Exception {
        var config = store.config(dir, databases);
        try (Engine e = Engine.open(config, clock)) {
            catalog(e);
            history(e, e, 42, 80, e::evaluateAlerts);
            Instant[] m = month(ZoneOffset.UTC);
            List<CurrencyRevenue> before = e.revenue().overview(T, m[0], m[1]).currencies();
            // time alone: the next month's periods (no mark but the period ends)
            clock.advance(Duration.ofDays(32));
            e.revenue().refresh();
            m = month(ZoneOffset.UTC);
            assertThat(e.revenue().overview(T, m[0], m[1]).currencies())
                    .isEqualTo(RevenueReference.of(e.billing(), T, m[0], m[1])).isNotEqualTo(before);
        }
        try (Engine e = Engine.open(config, clock)) {
            Instant[] m = month(ZoneOffset.UTC);
            RevenueOverview cold = e.revenue().overview(T, m[0], m[1]);
            assertThat(cold.pendingCustomers()).isPositive();
            assertThat(cold.asOf()).isEmpty();
            e.revenue().refreshAll();
            RevenueOverview warm = e.revenue().overview(T, m[0], m[1]);
            assertThat(warm.pendingCustomers()).isZero();
            assertThat(warm.asOf()).contains(clock.instant());
            assertThat(warm.currencies()).isEqualTo(RevenueReference.of(e.billing(), T, m[0], m[1]));
        }
    }

    @Test
    void anotherProcesssChangesReachTheRollupThroughTheDatabase() throws Exception {
        try (TwoEngines two = TwoEngines.open(dir, clock)) {
            catalog(two.one());
            two.two().revenue().refreshAll(); // both know the tenant
            Map<String, Integer> done = history(two.one(), two.two(), 7, 120, () -> {
                two.two().syncWithOthers();
                two.two().evaluateAlerts();
            });
            assertThat(done).containsKeys("subscribe", "event", "billing run");
        }
    }
}

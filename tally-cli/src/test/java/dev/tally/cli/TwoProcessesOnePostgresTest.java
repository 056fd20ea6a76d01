package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tally.engine.TestDatabases;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code tally serve} processes (A and B: own ports and data directories, one bootstrap key, billing only
 * when asked) on one fresh PostgreSQL database. A meter created through A is seen by B; the same events are
 * sent to both at once (every id races across the processes), and exactly the distinct ids are accepted and
 * summed, on either process, right after the acknowledgements. Then customers, a weekly plan and subscriptions
 * that started three weeks ago (anniversary billing: the opening invoice at the start, then the midnight of
 * each weekly anniversary; all have passed, no fake clock needed), grace zero, and billing
 * runs on A and B at the same time, several times: one invoice per subscription and boundary, numbers
 * INV-000001..INV-N without a gap, the same invoices listed by both, and the usage on them is exactly the
 * events' sum per period.
 */
class TwoProcessesOnePostgresTest {
    /** Processes sharing one PostgreSQL must share the secrets key too (a fixed test key, never a real one). */
    static final String SHARED_SECRETS_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private static final String METER = "tp_tokens";
    private static final String TYPE = "tp.tokens";
    private static final int CUSTOMERS = 12;
    private static final int UNIQUE = 24_000;
    private static final int BATCH = 500;
    private static final int SENDERS_PER_PROCESS = 2;
    private static final int WEEKS = 3;
    private static final int RUNNERS_PER_PROCESS = 2;
    private static final int RUN_ROUNDS = 3;

    @TempDir
    Path dir;

    private String database;
    private final List<ServerProcess> processes = new ArrayList<>();

    /** One event as planned: customer, time and value. */
    private record Planned(String id, int customer, Instant time, BigDecimal tokens) {
    }

    @AfterEach
    void cleanUp() {
        try {
            processes.forEach(ServerProcess::kill);
        } finally {
            TestDatabases.drop(database);
        }
    }

    @Test
    @Timeout(value = 110, unit = TimeUnit.SECONDS)
    void twoProcessesShareEventsMetersAndBillingExactly() throws Exception {
        database = TestDatabases.create();
        String key = "tly_" + UUID.randomUUID().toString().replace("-", "");
        Map<String, String> env = Map.of("TALLY_BOOTSTRAP_KEY", key, "TALLY_BILLING_INTERVAL_SECONDS", "0",
                "TALLY_SECRETS_KEY", SHARED_SECRETS_KEY);
        // Both start at once on the empty database (migrations and bootstrap race, as in a real deployment).
        ServerProcess pa = start("a", env);
        ServerProcess pb = start("b", env);
        pa.awaitReady(TallyApi.http());
        pb.awaitReady(TallyApi.http());
        TallyApi a = new TallyApi(pa, key, "A");
        TallyApi b = new TallyApi(pb, key, "B");

        // A meter made through A is seen by B.
        a.json("POST", "/v1/meters", "{\"key\":\"" + METER + "\",\"event_type\":\"" + TYPE
                + "\",\"aggregation\":\"sum\",\"value_path\":\"tokens\"}", 201);
        awaitMeter(b);

        // The subscriptions will start three weeks (and a bit) ago; events fall into their periods.
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant[] starts = new Instant[CUSTOMERS];
        for (int c = 0; c < CUSTOMERS; c++) {
            starts[c] = now.minus(Duration.ofDays(7L * WEEKS)).minus(Duration.ofHours(1)).minus(Duration.ofMinutes(10L * c));
        }
        List<Planned> events = plan(starts[CUSTOMERS - 1], now);
        List<String> batches = batches(events);

        // The same batches go to both processes at the same time, in the same order: every id races.
        ExecutorService pool = Executors.newFixedThreadPool(2 * SENDERS_PER_PROCESS);
        List<Future<long[]>> sent = new ArrayList<>();
        for (TallyApi api : List.of(a, b)) {
            AtomicInteger next = new AtomicInteger();
            for (int t = 0; t < SENDERS_PER_PROCESS; t++) {
                sent.add(pool.submit(() -> {
                    long accepted = 0;
                    long duplicates = 0;
                    for (int i = next.getAndIncrement(); i < batches.size(); i = next.getAndIncrement()) {
                        HttpResponse<String> r = api.postEvents(batches.get(i));
                        assertThat(r.statusCode()).as("batch %d to %s -> %s", i, api.name(), r.body()).isEqualTo(200);
                        JsonNode body = Jsons.MAPPER.readTree(r.body());
                        assertThat(body.get("rejected").asInt()).as(r.body()).isZero();
                        accepted += body.get("accepted").asLong();
                        duplicates += body.get("duplicates").asLong();
                    }
                    return new long[] {accepted, duplicates};
                }));
            }
        }
        long accepted = 0;
        long duplicates = 0;
        for (Future<long[]> f : sent) {
            long[] r = f.get(60, TimeUnit.SECONDS);
            accepted += r[0];
            duplicates += r[1];
        }
        pool.shutdown();
        assertThat(accepted).as("accepted across both processes").isEqualTo(UNIQUE);
        assertThat(duplicates).as("duplicates across both processes").isEqualTo(UNIQUE);

        // Right after the acknowledgements, either process answers the exact sum (in total and per customer).
        BigDecimal expected = events.stream().map(Planned::tokens).reduce(BigDecimal.ZERO, BigDecimal::add);
        String range = "from=" + enc(starts[CUSTOMERS - 1].minus(Duration.ofDays(1))) + "&to=" + enc(now.plus(Duration.ofDays(1)));
        for (TallyApi api : List.of(b, a)) {
            assertThat(usage(api, range, null)).as("sum on %s", api.name()).isEqualByComparingTo(expected);
        }
        for (int c = 0; c < CUSTOMERS; c++) {
            int customer = c;
            BigDecimal mine = events.stream().filter(e -> e.customer() == customer).map(Planned::tokens)
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            for (TallyApi api : List.of(a, b)) {
                assertThat(usage(api, range, "customer-" + c)).as("customer-%d on %s", c, api.name())
                        .isEqualByComparingTo(mine);
            }
        }
        for (TallyApi api : List.of(a, b)) {
            JsonNode report = api.get("/v1/reconciliation?" + range);
            assertThat(report.get("differences")).as("reconciliation on %s: %s", api.name(), report).isEmpty();
        }

        // Billing set up through A: customers, a weekly plan, subscriptions that started 3 weeks ago, grace 0.
        for (int c = 0; c < CUSTOMERS; c++) {
            a.json("POST", "/v1/customers", "{\"external_id\":\"customer-" + c + "\",\"name\":\"Customer " + c
                    + "\",\"currency\":\"USD\"}", 201);
        }
        a.json("POST", "/v1/plans", "{\"key\":\"weekly\",\"name\":\"Weekly\",\"currency\":\"USD\",\"interval\":\"weekly\","
                + "\"charges\":[{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"10.00\",\"timing\":\"in_advance\"},"
                + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"" + METER + "\","
                + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}]}", 201);
        Map<String, Integer> customerOf = new HashMap<>();
        for (int c = 0; c < CUSTOMERS; c++) {
            JsonNode sub = a.json("POST", "/v1/subscriptions", "{\"customer\":\"customer-" + c
                    + "\",\"plan\":\"weekly\",\"billing\":\"anniversary\",\"start\":\"" + starts[c] + "\"}", 201);
            assertThat(sub.get("start").asText()).isEqualTo(starts[c].toString());
            assertThat(sub.get("billing").asText()).isEqualTo("anniversary");
            assertThat(sub.get("next_invoice_at").asText()).as("the opening invoice is due").isEqualTo(starts[c].toString());
            customerOf.put(sub.get("id").asText(), c);
        }
        assertThat(a.json("PUT", "/v1/billing/settings", "{\"grace_period_seconds\":0}", 200)
                .get("grace_period_seconds").asLong()).isZero();
        assertThat(b.get("/v1/billing/settings").get("grace_period_seconds").asLong()).isZero();

        // Billing runs on A and B at the same time, several rounds, two callers per process.
        int expectedInvoices = CUSTOMERS * (WEEKS + 1); // the opening invoice (fee in advance) and one per week
        CyclicBarrier together = new CyclicBarrier(2 * RUNNERS_PER_PROCESS);
        ExecutorService runners = Executors.newFixedThreadPool(2 * RUNNERS_PER_PROCESS);
        List<Future<int[]>> runs = new ArrayList<>();
        for (TallyApi api : List.of(a, b)) {
            for (int t = 0; t < RUNNERS_PER_PROCESS; t++) {
                runs.add(runners.submit((Callable<int[]>) () -> {
                    int created = 0;
                    int finalized = 0;
                    for (int round = 0; round < RUN_ROUNDS; round++) {
                        together.await(30, TimeUnit.SECONDS);
                        JsonNode r = api.json("POST", "/v1/billing/runs", null, 200);
                        created += r.get("created").asInt();
                        finalized += r.get("finalized").asInt();
                    }
                    return new int[] {created, finalized};
                }));
            }
        }
        int created = 0;
        int finalized = 0;
        for (Future<int[]> f : runs) {
            int[] r = f.get(60, TimeUnit.SECONDS);
            created += r[0];
            finalized += r[1];
        }
        runners.shutdown();
        assertThat(created).as("invoices created over all runs on A and B").isEqualTo(expectedInvoices);
        assertThat(finalized).as("invoices finalized over all runs on A and B").isEqualTo(expectedInvoices);

        // Both processes list the same invoices.
        List<JsonNode> onA = invoices(a);
        List<JsonNode> onB = invoices(b);
        assertThat(onB).as("invoices on B vs A").isEqualTo(onA);
        assertThat(onA).hasSize(expectedInvoices);

        // Gapless numbers INV-000001..INV-N, all finalized.
        List<String> numbers = onA.stream().map(i -> i.get("number").asText()).sorted().toList();
        List<String> wanted = new ArrayList<>();
        for (int n = 1; n <= expectedInvoices; n++) {
            wanted.add(String.format("INV-%06d", n));
        }
        assertThat(numbers).isEqualTo(wanted);
        assertThat(onA).allSatisfy(i -> assertThat(i.get("status").asText()).isEqualTo("finalized"));

        // One invoice per subscription and boundary: the start and each week after it.
        Map<String, List<Instant>> boundaries = new TreeMap<>();
        for (JsonNode i : onA) {
            boundaries.computeIfAbsent(i.get("subscription").asText(), k -> new ArrayList<>())
                    .add(Instant.parse(i.get("issued_for").asText()));
        }
        assertThat(boundaries.keySet()).isEqualTo(customerOf.keySet());
        for (Map.Entry<String, List<Instant>> e : boundaries.entrySet()) {
            Instant start = starts[customerOf.get(e.getKey())];
            List<Instant> want = new ArrayList<>(List.of(start));
            for (int w = 1; w <= WEEKS; w++) {
                want.add(weekBoundary(start, w));
            }
            assertThat(want).allSatisfy(t -> assertThat(t).isBefore(now));
            assertThat(e.getValue()).as("boundaries invoiced for %s", e.getKey()).containsExactlyInAnyOrderElementsOf(want);
        }

        // The usage on the invoices is exactly the events' sum per customer over the invoiced weeks.
        for (int c = 0; c < CUSTOMERS; c++) {
            String customer = "customer-" + c;
            Instant from = starts[c];
            Instant to = weekBoundary(from, WEEKS);
            int cc = c;
            BigDecimal want = events.stream().filter(e -> e.customer() == cc && !e.time().isBefore(from)
                    && e.time().isBefore(to)).map(Planned::tokens).reduce(BigDecimal.ZERO, BigDecimal::add);
            BigDecimal invoiced = BigDecimal.ZERO;
            for (JsonNode i : onA) {
                if (!i.get("customer").asText().equals(customer)) {
                    continue;
                }
                JsonNode full = b.get("/v1/invoices/" + i.get("id").asText());
                for (JsonNode line : full.get("lines")) {
                    if (line.get("kind").asText().equals("usage")) {
                        invoiced = invoiced.add(new BigDecimal(line.get("quantity").asText()));
                    }
                }
            }
            assertThat(invoiced).as("usage invoiced to %s", customer).isEqualByComparingTo(want);
        }

        // Another round on both finds nothing to do.
        for (TallyApi api : List.of(a, b)) {
            assertThat(api.json("POST", "/v1/billing/runs", null, 200).get("created").asInt()).isZero();
        }
        assertThat(invoices(b)).hasSize(expectedInvoices);
        assertThat(pa.isAlive() && pb.isAlive()).isTrue();
    }

    /**
     * Around the main flow: a meter made on A is used by events sent to B at once (before B's periodic sync
     * could have loaded it); the same events are cancelled on A and B at the same time; a process that joins
     * later, and one restarted on its data directory (checkpoint) after the others stored more, both answer the
     * exact sum; reconciliation is clean everywhere.
     */
    @Test
    @Timeout(value = 110, unit = TimeUnit.SECONDS)
    void correctionsLateJoinersAndRestartsAgreeAcrossProcesses() throws Exception {
        database = TestDatabases.createMigrated();
        String key = "tly_" + UUID.randomUUID().toString().replace("-", "");
        Map<String, String> env = Map.of("TALLY_BOOTSTRAP_KEY", key, "TALLY_BILLING_INTERVAL_SECONDS", "0",
                "TALLY_SECRETS_KEY", SHARED_SECRETS_KEY);
        ServerProcess pa = start("a", env);
        ServerProcess pb = start("b", env);
        pa.awaitReady(TallyApi.http());
        pb.awaitReady(TallyApi.http());
        TallyApi a = new TallyApi(pa, key, "A");
        TallyApi b = new TallyApi(pb, key, "B");

        // A meter made on A; events of its type go to B right away.
        a.json("POST", "/v1/meters", "{\"key\":\"" + METER + "\",\"event_type\":\"" + TYPE
                + "\",\"aggregation\":\"sum\",\"value_path\":\"tokens\"}", 201);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<Planned> events = plan(now.minus(Duration.ofDays(2)), now).subList(0, 2_000);
        for (String batch : batches(events)) {
            HttpResponse<String> r = b.postEvents(batch);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(Jsons.MAPPER.readTree(r.body()).get("accepted").asInt()).as(r.body()).isEqualTo(BATCH);
        }
        awaitMeter(b); // usage on B before its sync loaded the meter is a 404: see aMeterMadeOnAIsUsableOnBAtOnce
        String range = "from=" + enc(now.minus(Duration.ofDays(3))) + "&to=" + enc(now.plus(Duration.ofDays(1)));
        BigDecimal sum = events.stream().map(Planned::tokens).reduce(BigDecimal.ZERO, BigDecimal::add);
        for (TallyApi api : List.of(b, a)) {
            assertThat(usage(api, range, null)).as("sum on %s of events B took right after A made the meter",
                    api.name()).isEqualByComparingTo(sum);
        }

        // The same 100 events cancelled on A and B at the same time.
        List<Planned> cancelled = events.subList(0, 100);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CyclicBarrier together = new CyclicBarrier(2);
        List<Future<List<String>>> outcomes = new ArrayList<>();
        for (TallyApi api : List.of(a, b)) {
            outcomes.add(pool.submit(() -> {
                List<String> statuses = new ArrayList<>();
                for (Planned e : cancelled) {
                    together.await(10, TimeUnit.SECONDS);
                    statuses.add(api.json("POST", "/v1/events/two-process-test/" + e.id() + "/cancel", null, 200)
                            .get("status").asText());
                }
                return statuses;
            }));
        }
        List<String> onA = outcomes.get(0).get(60, TimeUnit.SECONDS);
        List<String> onB = outcomes.get(1).get(60, TimeUnit.SECONDS);
        pool.shutdown();
        for (int i = 0; i < cancelled.size(); i++) {
            assertThat(List.of(onA.get(i), onB.get(i))).as("cancel of %s on A and B", cancelled.get(i).id())
                    .allMatch(s -> s.equals("cancelled") || s.equals("already_cancelled"));
        }
        long bothCancelled = 0;
        for (int i = 0; i < cancelled.size(); i++) {
            bothCancelled += onA.get(i).equals("cancelled") && onB.get(i).equals("cancelled") ? 1 : 0;
        }
        System.out.printf("TwoProcessesOnePostgresTest: %d of %d racing cancel pairs both answered \"cancelled\"%n",
                bothCancelled, cancelled.size());
        BigDecimal left = sum.subtract(cancelled.stream().map(Planned::tokens).reduce(BigDecimal.ZERO, BigDecimal::add));
        for (TallyApi api : List.of(a, b)) {
            assertThat(usage(api, range, null)).as("sum on %s after the cancels", api.name()).isEqualByComparingTo(left);
            JsonNode report = api.get("/v1/reconciliation?" + range);
            assertThat(report.get("differences")).as("reconciliation on %s: %s", api.name(), report).isEmpty();
        }

        // B stops (checkpoint), A stores more, B restarts on its data directory; C joins on a new one.
        pb.stop();
        List<Planned> more = plan(now.minus(Duration.ofDays(2)), now).subList(2_000, 3_000);
        for (String batch : batches(more)) {
            assertThat(a.postEvents(batch).statusCode()).isEqualTo(200);
        }
        BigDecimal total = left.add(more.stream().map(Planned::tokens).reduce(BigDecimal.ZERO, BigDecimal::add));
        ServerProcess pb2 = new ServerProcess(dir.resolve("data-b"), dir.resolve("server-b2.log"),
                ServerProcess.freePort(), env, List.of("--database-url", database));
        processes.add(pb2);
        ServerProcess pc = start("c", env);
        pb2.awaitReady(TallyApi.http());
        pc.awaitReady(TallyApi.http());
        for (TallyApi api : List.of(new TallyApi(pb2, key, "B restarted"), new TallyApi(pc, key, "C"), a)) {
            assertThat(usage(api, range, null)).as("sum on %s", api.name()).isEqualByComparingTo(total);
            JsonNode report = api.get("/v1/reconciliation?" + range);
            assertThat(report.get("differences")).as("reconciliation on %s: %s", api.name(), report).isEmpty();
        }
        // A re-sent batch is a duplicate wherever it goes, and a cancelled event stays cancelled.
        JsonNode again = new TallyApi(pc, key, "C").json("POST", "/v1/events", batches(events).get(0), 200);
        assertThat(again.get("duplicates").asInt()).isEqualTo(BATCH);
        assertThat(new TallyApi(pb2, key, "B restarted").json("POST", "/v1/events/two-process-test/"
                + cancelled.get(0).id() + "/cancel", null, 200).get("status").asText()).isEqualTo("already_cancelled");
    }

    /**
     * A meter made on A is there for B's usage queries, plans and meter writes at once ("before answering usage
     * queries, a process catches up with the others"), not only after B's next periodic sync (500 ms).
     */
    @Test
    @Timeout(value = 110, unit = TimeUnit.SECONDS)
    void aMeterMadeOnAIsUsableOnBAtOnce() throws Exception {
        database = TestDatabases.createMigrated();
        String key = "tly_" + UUID.randomUUID().toString().replace("-", "");
        Map<String, String> env = Map.of("TALLY_BOOTSTRAP_KEY", key, "TALLY_BILLING_INTERVAL_SECONDS", "0",
                "TALLY_SECRETS_KEY", SHARED_SECRETS_KEY);
        ServerProcess pa = start("a", env);
        ServerProcess pb = start("b", env);
        pa.awaitReady(TallyApi.http());
        pb.awaitReady(TallyApi.http());
        TallyApi a = new TallyApi(pa, key, "A");
        TallyApi b = new TallyApi(pb, key, "B");
        String range = "from=" + enc(Instant.now().minus(Duration.ofDays(1))) + "&to=" + enc(Instant.now().plus(Duration.ofDays(1)));
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String meter = "{\"key\":\"m" + i + "\",\"event_type\":\"t" + i + "\",\"aggregation\":\"count\"}";
            a.json("POST", "/v1/meters", meter, 201);
            HttpResponse<String> usage = b.send("GET", "/v1/meters/m" + i + "/usage?" + range, null, null);
            if (usage.statusCode() != 200) {
                wrong.add("GET /v1/meters/m" + i + "/usage on B -> " + usage.statusCode() + " " + usage.body());
            }
            HttpResponse<String> plan = b.send("POST", "/v1/plans", "{\"key\":\"p" + i + "\",\"currency\":\"USD\","
                    + "\"interval\":\"monthly\",\"charges\":[{\"key\":\"c\",\"type\":\"usage\",\"meter\":\"m" + i
                    + "\",\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"}}]}", "application/json");
            if (plan.statusCode() != 201) {
                wrong.add("POST /v1/plans (charge on m" + i + ") on B -> " + plan.statusCode() + " " + plan.body());
            }
            HttpResponse<String> again = b.send("POST", "/v1/meters", meter, "application/json");
            if (again.statusCode() != 409) {
                wrong.add("POST /v1/meters " + meter + " on B -> " + again.statusCode() + " " + again.body());
            }
        }
        assertThat(wrong).as("B right after A made a meter; B's log tail:\n" + pb.logTail(20)).isEmpty();
    }

    /**
     * A correction decided once across processes, like an event: when A and B cancel the same event at the same
     * time, one answers {@code cancelled} and the other {@code already_cancelled} (as two cancels on one process
     * do), and the database holds one cancel record per event.
     */
    @Test
    @Timeout(value = 110, unit = TimeUnit.SECONDS)
    void racingCancelsOnTwoProcessesAreDecidedOnce() throws Exception {
        database = TestDatabases.createMigrated();
        String key = "tly_" + UUID.randomUUID().toString().replace("-", "");
        Map<String, String> env = Map.of("TALLY_BOOTSTRAP_KEY", key, "TALLY_BILLING_INTERVAL_SECONDS", "0",
                "TALLY_SECRETS_KEY", SHARED_SECRETS_KEY);
        ServerProcess pa = start("a", env);
        ServerProcess pb = start("b", env);
        pa.awaitReady(TallyApi.http());
        pb.awaitReady(TallyApi.http());
        TallyApi a = new TallyApi(pa, key, "A");
        TallyApi b = new TallyApi(pb, key, "B");
        a.json("POST", "/v1/meters", "{\"key\":\"" + METER + "\",\"event_type\":\"" + TYPE
                + "\",\"aggregation\":\"sum\",\"value_path\":\"tokens\"}", 201);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<Planned> events = plan(now.minus(Duration.ofDays(1)), now).subList(0, BATCH);
        assertThat(a.json("POST", "/v1/events", batches(events).get(0), 200).get("accepted").asInt()).isEqualTo(BATCH);
        List<Planned> cancelled = events.subList(0, 100);

        ExecutorService pool = Executors.newFixedThreadPool(2);
        CyclicBarrier together = new CyclicBarrier(2);
        List<Future<List<String>>> outcomes = new ArrayList<>();
        for (TallyApi api : List.of(a, b)) {
            outcomes.add(pool.submit(() -> {
                List<String> statuses = new ArrayList<>();
                for (Planned e : cancelled) {
                    together.await(10, TimeUnit.SECONDS);
                    statuses.add(api.json("POST", "/v1/events/two-process-test/" + e.id() + "/cancel", null, 200)
                            .get("status").asText());
                }
                return statuses;
            }));
        }
        List<String> onA = outcomes.get(0).get(60, TimeUnit.SECONDS);
        List<String> onB = outcomes.get(1).get(60, TimeUnit.SECONDS);
        pool.shutdown();
        List<String> twice = new ArrayList<>();
        for (int i = 0; i < cancelled.size(); i++) {
            if (!Stream.of(onA.get(i), onB.get(i)).sorted().toList().equals(List.of("already_cancelled", "cancelled"))) {
                twice.add(cancelled.get(i).id() + ": A " + onA.get(i) + ", B " + onB.get(i));
            }
        }
        long cancelRecords;
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(database);
                java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM events WHERE kind = 2")) {
            rs.next();
            cancelRecords = rs.getLong(1);
        }
        assertThat(twice).as("racing cancels not answered cancelled + already_cancelled (%d cancel records stored"
                + " for %d events)", cancelRecords, cancelled.size()).isEmpty();
        assertThat(cancelRecords).isEqualTo(cancelled.size());
    }

    /**
     * The k-th weekly anniversary boundary of a subscription started at {@code start} (customers in UTC): the
     * midnight of the start's date plus k weeks (BillingCalendar: boundaries after the first start are local
     * midnights).
     */
    private static Instant weekBoundary(Instant start, int k) {
        return start.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(7L * k));
    }

    private ServerProcess start(String name, Map<String, String> env) throws IOException {
        ServerProcess p = new ServerProcess(dir.resolve("data-" + name), dir.resolve("server-" + name + ".log"),
                ServerProcess.freePort(), env, List.of("--database-url", database));
        processes.add(p);
        return p;
    }

    /** B learns meters other processes made within its sync interval (500 ms). */
    private static void awaitMeter(TallyApi api) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            HttpResponse<String> r = api.send("GET", "/v1/meters/" + METER, null, null);
            if (r.statusCode() == 200) {
                assertThat(Jsons.MAPPER.readTree(r.body()).get("aggregation").asText()).isEqualTo("sum");
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("%s does not see the meter made on the other process within 5 s: %d %s", api.name(),
                        r.statusCode(), r.body());
            }
            Thread.sleep(50);
        }
    }

    /** UNIQUE events over customers, between the earliest start (plus a minute) and a minute ago. */
    private static List<Planned> plan(Instant earliest, Instant now) {
        Random random = new Random(7);
        long span = Duration.between(earliest, now).toSeconds() - 120;
        List<Planned> out = new ArrayList<>(UNIQUE);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < UNIQUE; i++) {
            BigDecimal tokens = BigDecimal.valueOf(1 + random.nextInt(1000));
            if (i % 3 == 0) {
                tokens = tokens.add(new BigDecimal("0.25"));
            }
            Planned p = new Planned("tp-" + i, random.nextInt(CUSTOMERS),
                    earliest.plusSeconds(60 + (long) (random.nextDouble() * span)), tokens);
            out.add(p);
            ids.add(p.id());
        }
        assertThat(ids).hasSize(UNIQUE);
        return out;
    }

    private static List<String> batches(List<Planned> events) {
        List<String> out = new ArrayList<>();
        for (int from = 0; from < events.size(); from += BATCH) {
            StringBuilder body = new StringBuilder("[");
            for (Planned e : events.subList(from, Math.min(events.size(), from + BATCH))) {
                body.append(body.length() > 1 ? "," : "").append("{\"specversion\":\"1.0\",\"id\":\"").append(e.id())
                        .append("\",\"source\":\"two-process-test\",\"type\":\"").append(TYPE)
                        .append("\",\"subject\":\"customer-").append(e.customer()).append("\",\"time\":\"")
                        .append(e.time()).append("\",\"data\":{\"tokens\":").append(e.tokens().toPlainString())
                        .append("}}");
            }
            out.add(body.append(']').toString());
        }
        return out;
    }

    private static BigDecimal usage(TallyApi api, String range, String customer) throws IOException, InterruptedException {
        BigDecimal total = BigDecimal.ZERO;
        String query = "/v1/meters/" + METER + "/usage?" + range + (customer == null ? "" : "&customer=" + customer);
        for (JsonNode row : api.get(query).get("rows")) {
            total = total.add(new BigDecimal(row.get("value").asText()));
        }
        return total;
    }

    /** Every invoice, sorted by id. */
    private static List<JsonNode> invoices(TallyApi api) throws IOException, InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        api.get("/v1/invoices?limit=1000").get("invoices").forEach(out::add);
        out.sort((x, y) -> x.get("id").asText().compareTo(y.get("id").asText()));
        return out;
    }

    private static String enc(Instant t) {
        return URLEncoder.encode(t.toString(), StandardCharsets.UTF_8);
    }
}

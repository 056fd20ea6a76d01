package dev.tally.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.billing.BillingRunResult;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.ingest.IngestResult;
import dev.tally.engine.store.Database;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.UsageRow;
import dev.tally.engine.usage.Window;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scale-out acceptance test: a real KRaft broker in this JVM, a topic of 4 partitions, one PostgreSQL
 * database, two API nodes (engines over {@link KafkaEventStore}, each with its own data directory) and two
 * workers. 20,000 unique events of 20 customers go alternately through both API nodes while 10% of them are
 * re-sent through the other node; one worker is killed mid-stream (its batch in hand abandoned, its group
 * membership left to expire) and the survivor takes its partitions; then a third worker joins and takes some
 * back. Right after the last acknowledgement both API nodes must show every customer's exact count and sum,
 * reconciliation must be clean, each event must have been stored by exactly one worker, and a billing run
 * must issue exactly one invoice per subscription with the amount the count gives.
 */
class KafkaScaleOutTest {
    static final String T = Engine.DEFAULT_TENANT;
    static final int CUSTOMERS = 20;
    static final int EVENTS = 20_000;
    static final int BATCH = 200;
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant DEC_1 = Instant.parse("2026-12-01T00:00:00Z");

    final ObjectMapper json = Json.newMapper();
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-15T12:00:00Z"));
    final List<AutoCloseable> open = new ArrayList<>();
    String url;

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (url != null) {
            TestDatabases.drop(url);
        }
    }

    <C extends AutoCloseable> C keep(C c) {
        open.add(c);
        return c;
    }

    static String customer(int n) {
        return String.format("cust-%02d", n % CUSTOMERS);
    }

    static int tokens(int n) {
        return 1 + n % 7;
    }

    static String event(int n) {
        Instant at = NOV_1.plus(Duration.ofMinutes(37L * n % (13 * 24 * 60)));
        return "{\"specversion\":\"1.0\",\"id\":\"ev-" + n + "\",\"source\":\"//api\",\"type\":\"api_call\","
                + "\"subject\":\"" + customer(n) + "\",\"time\":\"" + at + "\",\"data\":{\"tokens\":" + tokens(n) + "}}";
    }

    static IngestResult send(Engine e, List<Integer> ns) {
        StringBuilder body = new StringBuilder("[");
        for (int n : ns) {
            body.append(body.length() > 1 ? "," : "").append(event(n));
        }
        byte[] bytes = body.append(']').toString().getBytes(StandardCharsets.UTF_8);
        return e.ingest(T, e.eventReader().read(bytes, CloudEventReader.BodyShape.BATCH));
    }

    static UsageRow total(Engine e, String meter, String customer) {
        List<UsageRow> rows = e.usage(T, new UsageRequest(meter, Optional.of(customer), NOV_1, DEC_1, Window.NONE,
                ZoneOffset.UTC, List.of(), Map.of()));
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void twoApiNodesAndTwoWorkersCountEveryEventExactlyOnceThroughACrashAndRebalances() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        String topic = kafka.newTopic(4);
        url = TestDatabases.createMigrated();
        Engine a = keep(Engine.open(EngineConfig.of(dir.resolve("a")).onPostgres(url).withSecrets(TestDatabases.SECRETS), clock,
                KafkaEventStore.factory(kafka.clientConfig(), topic, Duration.ofSeconds(30))));
        Engine b = keep(Engine.open(EngineConfig.of(dir.resolve("b")).onPostgres(url).withSecrets(TestDatabases.SECRETS), clock,
                KafkaEventStore.factory(kafka.clientConfig(), topic, Duration.ofSeconds(30))));
        KafkaWorker w1 = keep(new KafkaWorker(kafka.workerConfig(topic), topic, keep(Database.postgres(url)), "w1")).start();
        KafkaWorker w2 = keep(new KafkaWorker(kafka.workerConfig(topic), topic, keep(Database.postgres(url)), "w2")).start();

        // meters and billing set up through node a
        a.createMeter(T, json.readTree("{\"key\":\"calls\",\"event_type\":\"api_call\",\"aggregation\":\"count\"}"));
        a.createMeter(T, json.readTree("{\"key\":\"tokens\",\"event_type\":\"api_call\",\"aggregation\":\"sum\","
                + "\"value_path\":\"tokens\"}"));
        a.billing().createPlan(T, json.readTree("{\"key\":\"api\",\"name\":\"API\",\"currency\":\"EUR\","
                + "\"interval\":\"monthly\",\"charges\":[{\"key\":\"calls\",\"type\":\"usage\",\"name\":\"Calls\","
                + "\"meter\":\"calls\",\"price\":{\"model\":\"unit\",\"unit_price\":\"0.01\"}}]}"));
        for (int c = 0; c < CUSTOMERS; c++) {
            a.billing().createCustomer(T, json.readTree("{\"external_id\":\"" + customer(c)
                    + "\",\"timezone\":\"UTC\",\"currency\":\"EUR\"}"));
            a.billing().subscribe(T, json.readTree("{\"customer\":\"" + customer(c) + "\",\"plan\":\"api\","
                    + "\"start\":\"" + NOV_1 + "\"}"));
        }
        a.billing().setGracePeriod(T, Duration.ZERO);
        await("both workers own partitions", Duration.ofSeconds(30), () -> !w1.partitions().isEmpty()
                && !w2.partitions().isEmpty() && w1.partitions().size() + w2.partitions().size() == 4);

        // two senders, one per API node; every 10th event of a batch is re-sent through the OTHER node
        AtomicLong acked = new AtomicLong();
        AtomicLong resent = new AtomicLong();
        CountDownLatch rebalanced = new CountDownLatch(1);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Engine[] nodes = {a, b};
        List<Thread> senders = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            Engine through = nodes[k];
            Engine other = nodes[1 - k];
            int first = k;
            Thread t = new Thread(() -> {
                try {
                    for (int batch = first; batch * BATCH < EVENTS; batch += 2) {
                        if (batch * BATCH >= EVENTS * 3 / 4) {
                            assertThat(rebalanced.await(60, TimeUnit.SECONDS)).as("rebalances done").isTrue();
                        }
                        List<Integer> ns = new ArrayList<>();
                        for (int n = batch * BATCH; n < (batch + 1) * BATCH; n++) {
                            ns.add(n);
                        }
                        IngestResult r = send(through, ns);
                        assertThat(r.accepted()).isEqualTo(BATCH);
                        acked.addAndGet(BATCH);
                        List<Integer> again = ns.stream().filter(n -> n % 10 == 3).toList();
                        IngestResult d = send(other, again);
                        assertThat(d.rejected()).isZero();
                        resent.addAndGet(again.size());
                        Thread.sleep(5);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "sender-" + k);
            t.start();
            senders.add(t);
        }

        // mid-stream: kill w1 inside a transaction (its events inserted, its offsets not yet); w2 must take all
        // four partitions and store that batch again; then w3 joins and takes some
        await("a quarter is acknowledged", Duration.ofSeconds(60), () -> acked.get() >= EVENTS / 4 || !failures.isEmpty());
        CountDownLatch inTransaction = new CountDownLatch(1);
        AtomicLong ackedAtKill = new AtomicLong();
        w1.beforeCommit = () -> {
            ackedAtKill.set(acked.get());
            inTransaction.countDown();
            while (!w1.killed()) {
                Thread.onSpinWait();
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        };
        assertThat(inTransaction.await(30, TimeUnit.SECONDS)).as("w1 is inside a transaction").isTrue();
        long killedAt = System.nanoTime();
        w1.kill();
        assertThat(w1.abandoned()).as("the batch w1 had in hand").isPositive();
        KafkaWorker w3 = null;
        try {
            await("w2 owns every partition", Duration.ofSeconds(30), () -> w2.partitions().size() == 4);
            long takeover = (System.nanoTime() - killedAt) / 1_000_000;
            w3 = keep(new KafkaWorker(kafka.workerConfig(topic), topic, keep(Database.postgres(url)), "w3")).start();
            KafkaWorker third = w3;
            await("w3 owns partitions", Duration.ofSeconds(30), () -> !third.partitions().isEmpty()
                    && third.partitions().size() + w2.partitions().size() == 4);
            System.out.printf("w1 killed at %d acknowledged events, abandoning %d; w2 took its partitions after %d ms; "
                    + "w3 now owns %s, w2 %s%n", ackedAtKill.get(), w1.abandoned(), takeover, w3.partitions(),
                    w2.partitions());
        } finally {
            rebalanced.countDown();
        }
        for (Thread t : senders) {
            t.join(120_000);
        }
        assertThat(failures).isEmpty();
        assertThat(acked.get()).isEqualTo(EVENTS);
        assertThat(resent.get()).isEqualTo(EVENTS / 10);

        // right after the last acknowledgement, both API nodes see every event, once
        for (Engine node : nodes) {
            for (int c = 0; c < CUSTOMERS; c++) {
                int cust = c;
                long count = java.util.stream.IntStream.range(0, EVENTS).filter(n -> n % CUSTOMERS == cust).count();
                long sum = java.util.stream.IntStream.range(0, EVENTS).filter(n -> n % CUSTOMERS == cust)
                        .map(KafkaScaleOutTest::tokens).sum();
                UsageRow calls = total(node, "calls", customer(c));
                assertThat(calls.value()).as("calls of %s", customer(c)).isEqualByComparingTo(BigDecimal.valueOf(count));
                assertThat(calls.events()).isEqualTo(count);
                assertThat(total(node, "tokens", customer(c)).value()).as("tokens of %s", customer(c))
                        .isEqualByComparingTo(BigDecimal.valueOf(sum));
            }
            assertThat(node.reconcile(T, NOV_1, DEC_1).differences()).isEmpty();
        }
        assertThat(TestDatabases.queryLong(url, "SELECT count(*) FROM events WHERE kind = 1")).isEqualTo(EVENTS);
        // each event was stored by exactly one worker; w1's abandoned batch was replayed by its successor
        assertThat(w1.storedEvents() + w2.storedEvents() + w3.storedEvents()).isEqualTo(EVENTS);
        assertThat(w1.duplicates() + w2.duplicates() + w3.duplicates()).isGreaterThanOrEqualTo(EVENTS / 10);
        System.out.printf("stored by w1 %d, w2 %d, w3 %d; duplicates dropped %d, %d, %d%n", w1.storedEvents(),
                w2.storedEvents(), w3.storedEvents(), w1.duplicates(), w2.duplicates(), w3.duplicates());

        // billing through node b: one invoice per subscription, the count times the unit price
        clock.set(DEC_1.plusSeconds(60));
        BillingRunResult run = b.billing().run(T);
        assertThat(run.created()).isEqualTo(CUSTOMERS);
        assertThat(a.billing().run(T).created()).isZero();
        List<Invoice> invoices = a.billing().invoices(T, Optional.empty(), Optional.empty(), 1000);
        assertThat(invoices).hasSize(CUSTOMERS);
        assertThat(invoices.stream().map(Invoice::customer).distinct()).hasSize(CUSTOMERS);
        for (Invoice i : invoices) {
            long count = EVENTS / CUSTOMERS;
            assertThat(i.totals().total().amount()).as("invoice of %s", i.customer())
                    .isEqualByComparingTo(new BigDecimal("0.01").multiply(BigDecimal.valueOf(count)));
            assertThat(i.lines()).hasSize(1);
            assertThat(i.lines().get(0).quantity()).isEqualByComparingTo(BigDecimal.valueOf(count));
            assertThat(i.lines().get(0).eventCount()).isEqualTo(count);
        }
    }
}

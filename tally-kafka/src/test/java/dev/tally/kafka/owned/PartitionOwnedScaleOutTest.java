package dev.tally.kafka.owned;

import static dev.tally.kafka.owned.OwnedFixtures.CUSTOMERS;
import static dev.tally.kafka.owned.OwnedFixtures.DEC_1;
import static dev.tally.kafka.owned.OwnedFixtures.NOV_1;
import static dev.tally.kafka.owned.OwnedFixtures.T;
import static dev.tally.kafka.owned.OwnedFixtures.await;
import static dev.tally.kafka.owned.OwnedFixtures.customer;
import static dev.tally.kafka.owned.OwnedFixtures.only;
import static dev.tally.kafka.owned.OwnedFixtures.send;
import static dev.tally.kafka.owned.OwnedFixtures.total;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.billing.BillingRunResult;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.ingest.IngestResult;
import dev.tally.core.aggregate.Aggregation;
import dev.tally.engine.objectstore.DirectoryObjectStore;
import dev.tally.engine.store.Database;
import dev.tally.engine.objectstore.ObjectStore;
import dev.tally.engine.usage.UsageRow;
import dev.tally.kafka.EmbeddedKafka;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The partition-owned mode's acceptance test: a real KRaft broker in this JVM, a topic of 4 partitions, one
 * PostgreSQL database (configuration only), two API nodes (engines over {@link ApiNodeStore}, no aggregates) and
 * three partition workers, each with a data directory of its own, publishing snapshots to one shared directory.
 * 20,000 unique events of 20 customers go alternately through both API nodes while 10% are re-sent through the
 * other node; one worker is killed just before it stores a run (its run abandoned, its membership left to expire),
 * its partitions are restored by the others from its last published snapshots plus replay; a fourth worker joins
 * and takes partitions over; an API node is restarted and takes more events. Every customer's count and sum,
 * asked of its partition's owner at the topic's end offset and routed through either API node, must be exact,
 * every owner's reconciliation clean, the whole-tenant totals (fanned out and merged) exact, a query through one
 * node must see an event acknowledged through the other a moment before, and the workers' billing runs (each for
 * its own partitions, started together) must issue exactly one invoice per subscription, of the exact count.
 */
class PartitionOwnedScaleOutTest {
    static final int EVENTS = 20_000;
    static final int BATCH = 200;

    final ObjectMapper json = Json.newMapper();
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-15T12:00:00Z"));
    final List<AutoCloseable> open = new ArrayList<>();
    final List<PartitionWorker> workers = new CopyOnWriteArrayList<>();
    String url;
    EmbeddedKafka kafka;
    String topic;
    ObjectStore snapshots;
    Database ownersDb;

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

    EngineConfig config(String name) {
        return EngineConfig.of(dir.resolve(name)).onPostgres(url).withSecrets(TestDatabases.SECRETS);
    }

    Engine apiNode(String name) {
        return Engine.open(config(name), clock, ApiNodeStore.factory(kafka.clientConfig(), topic));
    }

    PartitionWorker worker(String name) {
        PartitionWorker.Settings s = new PartitionWorker.Settings(topic, dir.resolve(name), config("unused"),
                Duration.ofMillis(300), 64 * 1024, 8L << 20);
        PartitionWorker w = keep(new PartitionWorker(kafka.workerConfig(topic), s, snapshots, clock, name));
        OwnerEndpoint endpoint = keep(new OwnerEndpoint(w, "127.0.0.1", 0, Duration.ofSeconds(30)));
        w.registerWith(owners(), endpoint.address()).start();
        workers.add(w);
        return w;
    }

    PartitionOwners owners() {
        if (ownersDb == null) {
            ownersDb = keep(Database.postgres(url));
        }
        return new PartitionOwners(ownersDb, topic, clock);
    }

    OwnerRouter router() {
        return keep(new OwnerRouter(kafka.clientConfig(), topic, owners(), Duration.ofSeconds(30)));
    }

    int owned() {
        return workers.stream().filter(PartitionWorker::isAlive).mapToInt(w -> w.partitions().size()).sum();
    }

    @Test
    void everyCustomerIsCountedExactlyOnceByItsOwnerThroughACrashARestoreAndANewWorker() throws Exception {
        kafka = EmbeddedKafka.shared();
        topic = kafka.newTopic(4);
        url = TestDatabases.create();
        snapshots = new DirectoryObjectStore(dir.resolve("shared-snapshots"));
        Engine a = keep(apiNode("a"));
        Engine[] b = {apiNode("b")};
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
        PartitionWorker w1 = worker("w1");
        PartitionWorker w2 = worker("w2");
        PartitionWorker w3 = worker("w3");
        await("three workers own the four partitions", Duration.ofSeconds(60), () -> owned() == 4
                && !w1.partitions().isEmpty() && !w2.partitions().isEmpty() && !w3.partitions().isEmpty());

        AtomicLong acked = new AtomicLong();
        CountDownLatch rebalanced = new CountDownLatch(1);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> senders = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            int first = k;
            Thread t = new Thread(() -> {
                try {
                    for (int batch = first; batch * BATCH < EVENTS; batch += 2) {
                        if (batch * BATCH >= EVENTS * 3 / 4) {
                            assertThat(rebalanced.await(120, TimeUnit.SECONDS)).as("rebalances done").isTrue();
                        }
                        Engine through = first == 0 ? a : b[0];
                        Engine other = first == 0 ? b[0] : a;
                        List<Integer> ns = IntStream.range(batch * BATCH, (batch + 1) * BATCH).boxed().toList();
                        IngestResult r = send(through, ns);
                        assertThat(r.accepted()).isEqualTo(BATCH);
                        acked.addAndGet(BATCH);
                        IngestResult d = send(other, ns.stream().filter(n -> n % 10 == 3).toList());
                        assertThat(d.rejected()).isZero();
                        Thread.sleep(5);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "sender-" + k);
            t.start();
            senders.add(t);
        }

        // a quarter in: w1 is killed just before it stores a run; the survivors restore its partitions
        await("a quarter is acknowledged", Duration.ofSeconds(60), () -> acked.get() >= EVENTS / 4 || !failures.isEmpty());
        CountDownLatch inRun = new CountDownLatch(1);
        w1.beforeFeed = () -> {
            inRun.countDown();
            while (!w1.killed()) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        };
        assertThat(inRun.await(30, TimeUnit.SECONDS)).as("w1 is about to store a run").isTrue();
        List<Integer> lost = List.copyOf(w1.partitions());
        long killedAt = System.nanoTime();
        w1.kill();
        assertThat(w1.abandoned()).as("the run w1 had in hand").isPositive();
        try {
            await("w2 and w3 own every partition", Duration.ofSeconds(60), () -> w2.partitions().size()
                    + w3.partitions().size() == 4);
            long takeover = (System.nanoTime() - killedAt) / 1_000_000;
            // a partition comes from w1's snapshot unless its new owner's own older copy is as far (it owned it
            // before w1 and w1 stored nothing since); w1 stored thousands of events, so at least one came from one
            assertThat(w2.restoredFromSnapshots() + w3.restoredFromSnapshots()).as("w1's partitions from snapshots")
                    .isPositive();
            PartitionWorker w4 = worker("w4");
            await("w4 owns partitions", Duration.ofSeconds(60), () -> !w4.partitions().isEmpty() && owned() == 4);
            System.out.printf("w1 (partitions %s) killed, abandoning %d; the others took over after %d ms; now w2 %s, "
                    + "w3 %s, w4 %s%n", lost, w1.abandoned(), takeover, w2.partitions(), w3.partitions(), w4.partitions());
        } finally {
            rebalanced.countDown();
        }
        for (Thread t : senders) {
            t.join(180_000);
        }
        assertThat(failures).isEmpty();
        assertThat(acked.get()).isEqualTo(EVENTS);

        // an API node restarts (it holds nothing) and takes the last batch
        b[0].close();
        b[0] = keep(apiNode("b"));
        List<Integer> last = IntStream.range(EVENTS, EVENTS + BATCH).boxed().toList();
        assertThat(send(b[0], last).accepted()).isEqualTo(BATCH);
        int all = EVENTS + BATCH;

        Map<Integer, Long> ends = OwnedFixtures.endOffsets(kafka.clientConfig(), topic, 4);
        long counted = 0;
        for (int c = 0; c < CUSTOMERS; c++) {
            int cust = c;
            int partition = Partitions.of(T, customer(c), 4);
            Engine owner = ownerOf(partition).engineAt(partition, ends.get(partition), Duration.ofSeconds(30));
            long count = IntStream.range(0, all).filter(n -> n % CUSTOMERS == cust).count();
            long sum = IntStream.range(0, all).filter(n -> n % CUSTOMERS == cust).map(OwnedFixtures::tokens).sum();
            UsageRow calls = only(owner.usage(T, total("calls", customer(c))));
            assertThat(calls.value()).as("calls of %s", customer(c)).isEqualByComparingTo(BigDecimal.valueOf(count));
            assertThat(calls.events()).isEqualTo(count);
            assertThat(only(owner.usage(T, total("tokens", customer(c)))).value()).as("tokens of %s", customer(c))
                    .isEqualByComparingTo(BigDecimal.valueOf(sum));
            counted += calls.events();
        }
        assertThat(counted).isEqualTo(all);
        for (int p = 0; p < 4; p++) {
            Engine owner = ownerOf(p).engineAt(p, ends.get(p), Duration.ofSeconds(30));
            assertThat(owner.reconcile(T, NOV_1, DEC_1).differences()).as("reconciliation of partition %d", p).isEmpty();
        }

        // every API node's answer, routed to the owners: per customer, and for the whole tenant (fan-out + merge)
        OwnerRouter[] routers = {router(), router()};
        for (OwnerRouter r : routers) {
            for (int c = 0; c < CUSTOMERS; c++) {
                int cust = c;
                long count = IntStream.range(0, all).filter(n -> n % CUSTOMERS == cust).count();
                long sum = IntStream.range(0, all).filter(n -> n % CUSTOMERS == cust).map(OwnedFixtures::tokens).sum();
                assertThat(only(r.usage(T, total("calls", customer(c)), Aggregation.COUNT)).value())
                        .as("routed calls of %s", customer(c)).isEqualByComparingTo(BigDecimal.valueOf(count));
                assertThat(only(r.usage(T, total("tokens", customer(c)), Aggregation.SUM)).value())
                        .as("routed tokens of %s", customer(c)).isEqualByComparingTo(BigDecimal.valueOf(sum));
            }
            UsageRow tenantCalls = only(r.usage(T, OwnedFixtures.tenantTotal("calls"), Aggregation.COUNT));
            assertThat(tenantCalls.value()).isEqualByComparingTo(BigDecimal.valueOf(all));
            assertThat(tenantCalls.events()).isEqualTo(all);
            assertThat(only(r.usage(T, OwnedFixtures.tenantTotal("tokens"), Aggregation.SUM)).value())
                    .isEqualByComparingTo(BigDecimal.valueOf(IntStream.range(0, all).map(OwnedFixtures::tokens).sum()));
        }
        // read-your-writes: acknowledged through node a, asked at once through node b's router
        for (int i = 0; i < 5; i++) {
            int n = all + i;
            assertThat(send(a, List.of(n)).accepted()).isEqualTo(1);
            long count = IntStream.rangeClosed(0, n).filter(m -> m % CUSTOMERS == n % CUSTOMERS).count();
            assertThat(only(routers[1].usage(T, total("calls", customer(n)), Aggregation.COUNT)).value())
                    .as("right after the acknowledgement").isEqualByComparingTo(BigDecimal.valueOf(count));
        }

        // billing: each live worker bills the customers of its partitions, all at once; one invoice per subscription
        int billed = all + 5;
        clock.set(DEC_1.plusSeconds(60));
        Map<Integer, Long> billEnds = OwnedFixtures.endOffsets(kafka.clientConfig(), topic, 4);
        List<PartitionWorker> live = workers.stream().filter(PartitionWorker::isAlive).toList();
        ConcurrentLinkedQueue<BillingRunResult> results = new ConcurrentLinkedQueue<>();
        List<Thread> billing = new ArrayList<>();
        for (PartitionWorker w : live) {
            billing.add(Thread.startVirtualThread(() -> results.addAll(w.runBilling(T, billEnds, Duration.ofSeconds(30))
                    .values())));
        }
        for (Thread t : billing) {
            t.join(120_000);
        }
        assertThat(results).hasSize(4);
        assertThat(results.stream().mapToInt(BillingRunResult::created).sum()).isEqualTo(CUSTOMERS);
        for (PartitionWorker w : live) {
            assertThat(w.runBilling(T, billEnds, Duration.ofSeconds(30)).values()).allMatch(r -> r.created() == 0);
        }
        List<Invoice> invoices = a.billing().invoices(T, Optional.empty(), Optional.empty(), 1000);
        assertThat(invoices).hasSize(CUSTOMERS);
        assertThat(invoices.stream().map(Invoice::customer).distinct()).hasSize(CUSTOMERS);
        for (Invoice i : invoices) {
            int cust = Integer.parseInt(i.customer().substring("cust-".length()));
            long count = IntStream.range(0, billed).filter(n -> n % CUSTOMERS == cust).count();
            assertThat(i.lines()).hasSize(1);
            assertThat(i.lines().get(0).quantity()).as("billed calls of %s", i.customer())
                    .isEqualByComparingTo(BigDecimal.valueOf(count));
            assertThat(i.totals().total().amount()).isEqualByComparingTo(new BigDecimal("0.01")
                    .multiply(BigDecimal.valueOf(count)));
        }

        long duplicates = workers.stream().mapToLong(PartitionWorker::duplicates).sum();
        assertThat(duplicates).as("re-sent events dropped by the owners' dedup indexes").isGreaterThanOrEqualTo(EVENTS / 10);
        System.out.printf("stored (counting replays after a move) %s; duplicates dropped %s%n",
                workers.stream().map(w -> w.name() + "=" + w.storedEvents()).toList(),
                workers.stream().map(w -> w.name() + "=" + w.duplicates()).toList());
    }

    PartitionWorker ownerOf(int partition) {
        return workers.stream().filter(w -> w.isAlive() && w.partitions().contains(partition)).findFirst()
                .orElseThrow(() -> new AssertionError("no worker owns partition " + partition));
    }
}

package dev.tally.kafka.owned;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.ingest.IngestResult;
import dev.tally.engine.objectstore.DirectoryObjectStore;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.UsageRow;
import dev.tally.engine.usage.Window;
import dev.tally.kafka.EmbeddedKafka;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput of the partition-owned Kafka mode on this machine, for docs/SCALING.md (not part of the normal run):
 *
 * <pre>
 * taskset -c 0,1 ./mvnw -o -pl tally-kafka verify -Dtest=PartitionOwnedThroughputBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtally.bench=true [-Dtally.bench.events=200000] \
 *     [-Dtally.bench.workers=1,2,4]
 * </pre>
 *
 * For each worker count: a fresh topic of 4 partitions, the workers started and owning every partition, then N
 * events (20,000 customers, one sum meter grouped by one dimension) through two API nodes (4 client threads,
 * 1,000-event requests, each acknowledged by Kafka) while the workers store and apply them; timed from the first
 * request until every partition has stored its end offset and its engine has applied it (a tenant-wide usage query
 * per partition engine, whose event counts must add up to N). CPU is the JVM's process CPU time over the run
 * (broker, API nodes and workers together: they share this JVM) and the workers' feeding threads' CPU time.
 */
@EnabledIfSystemProperty(named = "tally.bench", matches = "true")
class PartitionOwnedThroughputBenchmark {
    static final String T = Engine.DEFAULT_TENANT;
    static final int EVENTS = Integer.getInteger("tally.bench.events", 200_000);
    static final int PARTITIONS = 4;
    static final int REQUEST = 1000;

    @TempDir
    Path dir;

    static String event(int n) {
        Instant at = Instant.parse("2026-11-01T00:00:00Z").plusSeconds(n % (13 * 24 * 3600));
        return "{\"specversion\":\"1.0\",\"id\":\"ev-" + n + "\",\"source\":\"//api\",\"type\":\"api_call\","
                + "\"subject\":\"cust-" + (n * 7919L % 20_000) + "\",\"time\":\"" + at
                + "\",\"data\":{\"tokens\":" + (1 + n % 977) + ",\"model\":\"m" + (n % 3) + "\"}}";
    }

    @Test
    void measure() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.shared();
        ManualClock clock = new ManualClock(Instant.parse("2026-11-15T12:00:00Z"));
        String url = TestDatabases.create();
        List<String> rows = new ArrayList<>();
        List<String> breakdown = new ArrayList<>();
        List<String> drains = new ArrayList<>();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var threads = ManagementFactory.getThreadMXBean();
        try {
            int[] runs = java.util.Arrays.stream(System.getProperty("tally.bench.workers", "1,2,4").split(","))
                    .mapToInt(w -> Integer.parseInt(w.trim())).toArray();
            boolean meterMade = false;
            for (int workers : runs) {
                String topic = kafka.newTopic(PARTITIONS);
                String run = "run-" + workers + "-" + System.nanoTime();
                EngineConfig base = EngineConfig.of(dir.resolve(run + "-base")).onPostgres(url)
                        .withSecrets(TestDatabases.SECRETS);
                List<Engine> api = new ArrayList<>();
                List<PartitionWorker> ws = new ArrayList<>();
                try {
                    for (int i = 0; i < 2; i++) {
                        api.add(Engine.open(EngineConfig.of(dir.resolve(run + "-api-" + i)).onPostgres(url)
                                .withSecrets(TestDatabases.SECRETS), clock, ApiNodeStore.factory(kafka.clientConfig(), topic)));
                    }
                    if (!meterMade) {
                        api.get(0).createMeter(T, Json.newMapper().readTree("{\"key\":\"tokens\",\"event_type\":"
                                + "\"api_call\",\"aggregation\":\"sum\",\"value_path\":\"tokens\",\"group_by\":[\"model\"]}"));
                        meterMade = true;
                    }
                    Map<String, Object> config = new HashMap<>(kafka.workerConfig(topic));
                    config.put("group.id", run);
                    var snapshots = new DirectoryObjectStore(dir.resolve(run + "-snapshots"));
                    for (int i = 0; i < workers; i++) {
                        ws.add(new PartitionWorker(config, new PartitionWorker.Settings(topic, dir.resolve(run + "-w" + i),
                                base, Duration.ofSeconds(10)), snapshots, clock, run + "-w" + i).start());
                    }
                    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                    while (ws.stream().mapToInt(w -> w.partitions().size()).sum() < PARTITIONS
                            || ws.stream().anyMatch(w -> w.partitions().isEmpty())) {
                        assertThat(System.nanoTime() < deadline).as("workers own the partitions").isTrue();
                        Thread.sleep(50);
                    }
                    Thread.sleep(1000); // let a cooperative rebalance settle

                    Map<Long, Long> threadCpu0 = threadCpu(threads);
                    long cpu0 = os.getProcessCpuTime();
                    long started = System.nanoTime();
                    AtomicInteger next = new AtomicInteger();
                    List<Thread> clients = new ArrayList<>();
                    for (int c = 0; c < 4; c++) {
                        Engine e = api.get(c % 2);
                        clients.add(Thread.ofPlatform().start(() -> {
                            int first;
                            while ((first = next.getAndAdd(REQUEST)) < EVENTS) {
                                StringBuilder body = new StringBuilder("[");
                                for (int n = first; n < Math.min(EVENTS, first + REQUEST); n++) {
                                    body.append(n == first ? "" : ",").append(event(n));
                                }
                                byte[] bytes = body.append(']').toString().getBytes(StandardCharsets.UTF_8);
                                IngestResult r = e.ingest(T, e.eventReader().read(bytes, CloudEventReader.BodyShape.BATCH));
                                if (r.accepted() != Math.min(EVENTS, first + REQUEST) - first) {
                                    throw new AssertionError("not all accepted: " + r.accepted());
                                }
                            }
                        }));
                    }
                    for (Thread t : clients) {
                        t.join();
                    }
                    double ingestSeconds = (System.nanoTime() - started) / 1e9;
                    Map<Integer, Long> ends = OwnedFixtures.endOffsets(kafka.clientConfig(), topic, PARTITIONS);
                    long visible = 0;
                    for (int p = 0; p < PARTITIONS; p++) {
                        int partition = p;
                        PartitionWorker owner = ws.stream().filter(w -> w.partitions().contains(partition)).findFirst()
                                .orElseThrow();
                        Engine engine = owner.engineAt(p, ends.get(p), Duration.ofMinutes(5));
                        for (UsageRow r : engine.usage(T, new UsageRequest("tokens", Optional.empty(),
                                Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"), Window.NONE,
                                ZoneOffset.UTC, List.of(), Map.of()))) {
                            visible += r.events();
                        }
                    }
                    double seconds = (System.nanoTime() - started) / 1e9;
                    double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
                    assertThat(visible).isEqualTo(EVENTS);
                    double feed = ws.stream().mapToLong(PartitionWorker::feedNanos).sum() / 1e9;
                    long workerCpu = 0;
                    for (Thread t : Thread.getAllStackTraces().keySet()) {
                        if (t.getName().startsWith("tally-partition-worker-" + run)) {
                            workerCpu += Math.max(0, threads.getThreadCpuTime(t.threadId()));
                        }
                    }
                    rows.add(String.format("| %d worker%s | %,d | %.1f s (%,.0f/s) | %.1f s | **%,.0f** | %.1f s (%.1f µs/event) "
                            + "| %.1f s (%.1f µs/event) | %.2f s | 0 |", workers, workers == 1 ? "" : "s", EVENTS,
                            ingestSeconds, EVENTS / ingestSeconds, seconds, EVENTS / seconds, cpu, cpu * 1e6 / EVENTS,
                            workerCpu / 1e9, workerCpu / 1e3 / EVENTS, feed));
                    System.out.println(rows.get(rows.size() - 1));
                    breakdown.add(workers + " worker(s): " + cpuByThreadGroup(threads, threadCpu0, EVENTS));
                    ws.forEach(PartitionWorker::stop);
                    ws.clear();

                    // drain only: new workers (new group, empty directories, no snapshots) rebuild every partition
                    // from the full topic; the API nodes are idle
                    config.put("group.id", run + "-drain");
                    var empty = new DirectoryObjectStore(dir.resolve(run + "-snapshots-drain"));
                    threadCpu0 = threadCpu(threads);
                    cpu0 = os.getProcessCpuTime();
                    started = System.nanoTime();
                    for (int i = 0; i < workers; i++) {
                        ws.add(new PartitionWorker(config, new PartitionWorker.Settings(topic, dir.resolve(run + "-d" + i),
                                base, Duration.ofSeconds(10)), empty, clock, run + "-d" + i).start());
                    }
                    long applied = 0;
                    double opened = 0;
                    for (int p = 0; p < PARTITIONS; p++) {
                        int partition = p;
                        PartitionWorker owner;
                        while ((owner = ws.stream().filter(w -> w.partitions().contains(partition)).findFirst()
                                .orElse(null)) == null) {
                            Thread.sleep(5);
                        }
                        opened = Math.max(opened, (System.nanoTime() - started) / 1e9);
                        Engine engine = owner.engineAt(p, ends.get(p), Duration.ofMinutes(5));
                        for (UsageRow r : engine.usage(T, new UsageRequest("tokens", Optional.empty(),
                                Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"), Window.NONE,
                                ZoneOffset.UTC, List.of(), Map.of()))) {
                            applied += r.events();
                        }
                    }
                    double drain = (System.nanoTime() - started) / 1e9;
                    double drainCpu = (os.getProcessCpuTime() - cpu0) / 1e9;
                    assertThat(applied).isEqualTo(EVENTS);
                    drains.add(String.format("| %d worker%s | %,d | %.1f s | %,.0f | %.1f s | %.1f s (%.1f µs/event) |",
                            workers, workers == 1 ? "" : "s", EVENTS, drain, EVENTS / drain, opened, drainCpu,
                            drainCpu * 1e6 / EVENTS));
                    System.out.println(drains.get(drains.size() - 1));
                    breakdown.add(workers + " worker(s), drain only: " + cpuByThreadGroup(threads, threadCpu0, EVENTS));
                } finally {
                    ws.forEach(PartitionWorker::stop);
                    api.forEach(Engine::close);
                }
            }
        } finally {
            TestDatabases.drop(url);
        }
        System.out.println();
        System.out.println("| workers | events | ingest (2 API nodes -> Kafka) | ingest -> stored -> visible | events/s end to end "
                + "| JVM CPU (broker + API + workers) | workers' feeding threads' CPU | time in log appends (fsync) | lock wait shared across partitions |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        rows.forEach(System.out::println);
        System.out.println();
        System.out.println("| workers | events | Kafka -> stored -> visible (new owners, from group join) | events/s "
                + "| until the last partition was opened | JVM CPU |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        drains.forEach(System.out::println);
        System.out.println();
        System.out.println("CPU by thread group, µs per event (threads named alike, digits dropped):");
        breakdown.forEach(System.out::println);
    }

    static Map<Long, Long> threadCpu(java.lang.management.ThreadMXBean threads) {
        Map<Long, Long> out = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            out.put(id, Math.max(0, threads.getThreadCpuTime(id)));
        }
        return out;
    }

    /** CPU since {@code before} by thread name with digits and run names dropped, largest first. */
    static String cpuByThreadGroup(java.lang.management.ThreadMXBean threads, Map<Long, Long> before, int events) {
        Map<String, Long> groups = new HashMap<>();
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = Math.max(0, threads.getThreadCpuTime(info.getThreadId()))
                    - before.getOrDefault(info.getThreadId(), 0L);
            String name = info.getThreadName().replaceAll("run-[0-9]+-[0-9]+-", "").replaceAll("[0-9]+", "#");
            groups.merge(name, Math.max(0, cpu), Long::sum);
        }
        StringBuilder out = new StringBuilder();
        groups.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(14)
                .forEach(e -> out.append(String.format("%s %.1f; ", e.getKey(), e.getValue() / 1e3 / events)));
        return out.toString();
    }
}

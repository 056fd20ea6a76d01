package dev.tally.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.BillingRunResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tally bench billing}: the billing runs of one grace hour over many subscriptions with usage, on an engine
 * in this process with a fresh data directory and a clock it moves: subscriptions start on the 1st of a month, usage
 * arrives during it, and at the month's end the runs are timed: the one that creates the drafts, one with nothing
 * changed, one after late usage of 1% of the customers, and the one that finalizes them; with the heap after GC
 * before and after, and its peak while they ran, and each run's CPU time (this thread's). On the embedded store, or with {@code --database-url} on an empty
 * PostgreSQL database.
 */
@Command(name = "billing", mixinStandardHelpOptions = true,
        description = "Time the billing runs of a grace hour over many subscriptions with usage (engine in this process).")
final class BenchBillingCommand implements Callable<Integer> {
    @Option(names = "--subscriptions", paramLabel = "N", defaultValue = "100000", description = "Subscriptions to bill.")
    int subscriptions;

    @Option(names = "--events-per-subscription", paramLabel = "N", defaultValue = "3",
            description = "Usage events per subscription.")
    int eventsPer;

    @Option(names = "--database-url", paramLabel = "URL",
            description = "Run on this PostgreSQL database (empty; e.g. postgresql://postgres@127.0.0.1:5432/bench) "
                    + "instead of the embedded store.")
    String databaseUrl;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws IOException {
        Path dir = Files.createTempDirectory("tally-bench-billing");
        ManualClock clock = new ManualClock(Instant.parse("2026-11-01T00:00:00Z"));
        ObjectMapper json = Json.newMapper();
        String tenant = Engine.DEFAULT_TENANT;
        EngineConfig config = databaseUrl == null ? EngineConfig.of(dir) : EngineConfig.of(dir).onPostgres(databaseUrl);
        try (Engine engine = Engine.open(config, clock)) {
            Billing billing = engine.billing();
            engine.createMeter(tenant, json.readTree(
                    "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\",\"value_path\":\"tokens\"}"));
            billing.createPlan(tenant, json.readTree("{\"key\":\"pro\",\"name\":\"Pro\",\"currency\":\"USD\","
                    + "\"interval\":\"monthly\",\"tax_rates\":[{\"name\":\"VAT\",\"percent\":\"20\"}],\"charges\":["
                    + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Platform\",\"amount\":\"49\",\"timing\":\"in_arrears\"},"
                    + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\",\"included_quantity\":\"100\","
                    + "\"price\":{\"model\":\"graduated\",\"tiers\":[{\"up_to\":\"1000\",\"unit_price\":\"0.01\"},"
                    + "{\"up_to\":null,\"unit_price\":\"0.005\",\"flat_fee\":\"1\"}]}}]}"));
            long t0 = System.nanoTime();
            int chunk = 2000;
            for (int from = 0; from < subscriptions; from += chunk) {
                int to = Math.min(subscriptions, from + chunk);
                int first = from;
                billing.inOneTransaction(() -> {
                    for (int i = first; i < to; i++) {
                        try {
                            billing.createCustomer(tenant, json.readTree("{\"external_id\":\"cust-" + i
                                    + "\",\"name\":\"Customer " + i + "\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
                            billing.subscribe(tenant, json.readTree("{\"customer\":\"cust-" + i + "\",\"plan\":\"pro\"}"));
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                });
            }
            long setup = System.nanoTime() - t0;
            clock.set(Instant.parse("2026-11-20T00:00:00Z"));
            CloudEventReader reader = engine.eventReader();
            long events = 0;
            StringBuilder batch = new StringBuilder("[");
            int inBatch = 0;
            for (int i = 0; i < subscriptions; i++) {
                for (int k = 0; k < eventsPer; k++) {
                    batch.append(inBatch == 0 ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"e-").append(i)
                            .append('-').append(k).append("\",\"source\":\"bench\",\"type\":\"llm.tokens\",\"subject\":\"cust-")
                            .append(i).append("\",\"time\":\"2026-11-1").append(k % 9).append("T12:00:00Z\",\"data\":{\"tokens\":")
                            .append(100 + (i * 37 + k * 11) % 900).append("}}");
                    inBatch++;
                    events++;
                    if (inBatch == 1000) {
                        ingest(engine, reader, tenant, batch);
                        batch.setLength(1);
                        inBatch = 0;
                    }
                }
            }
            if (inBatch > 0) {
                ingest(engine, reader, tenant, batch);
            }
            // the runs of the grace hour: create the drafts, re-rate with nothing changed, re-rate with 1% changed,
            // finalize; heap after GC before and after, and the peak while they run
            long heapBefore = heapAfterGc();
            java.lang.management.ManagementFactory.getMemoryPoolMXBeans().forEach(
                    java.lang.management.MemoryPoolMXBean::resetPeakUsage);
            billing.setGracePeriod(tenant, Duration.ofHours(1));
            clock.set(Instant.parse("2026-12-01T00:00:00Z"));
            long t1 = System.nanoTime();
            long t1Cpu = cpu();
            BillingRunResult create = billing.run(tenant);
            long createTook = System.nanoTime() - t1;
            long createCpu = cpu() - t1Cpu;
            clock.set(Instant.parse("2026-12-01T00:01:00Z"));
            long t2 = System.nanoTime();
            long t2Cpu = cpu();
            BillingRunResult quiet = billing.run(tenant);
            long quietTook = System.nanoTime() - t2;
            long quietCpu = cpu() - t2Cpu;
            int changed = 0;
            batch.setLength(1);
            inBatch = 0;
            for (int i = 0; i < subscriptions; i += 100) {
                batch.append(inBatch == 0 ? "" : ",").append("{\"specversion\":\"1.0\",\"id\":\"late-").append(i)
                        .append("\",\"source\":\"bench\",\"type\":\"llm.tokens\",\"subject\":\"cust-").append(i)
                        .append("\",\"time\":\"2026-11-29T12:00:00Z\",\"data\":{\"tokens\":50}}");
                changed++;
                if (++inBatch == 1000) {
                    ingest(engine, reader, tenant, batch);
                    batch.setLength(1);
                    inBatch = 0;
                }
            }
            if (inBatch > 0) {
                ingest(engine, reader, tenant, batch);
            }
            clock.set(Instant.parse("2026-12-01T00:02:00Z"));
            long t3 = System.nanoTime();
            long t3Cpu = cpu();
            BillingRunResult onePercent = billing.run(tenant);
            long onePercentTook = System.nanoTime() - t3;
            long onePercentCpu = cpu() - t3Cpu;
            clock.set(Instant.parse("2026-12-01T01:00:00Z"));
            long t4 = System.nanoTime();
            long t4Cpu = cpu();
            BillingRunResult finalize = billing.run(tenant);
            long finalizeTook = System.nanoTime() - t4;
            long finalizeCpu = cpu() - t4Cpu;
            long peak = peakHeap();
            long heapAfter = heapAfterGc();
            double billed = (createTook + finalizeTook) / 1e9;
            out.printf("bench billing (%s): %s with %s (setup %.1f s: %,.0f subscriptions created/s)%n",
                    databaseUrl == null ? "embedded store" : "PostgreSQL",
                    Format.count(subscriptions, "subscription"), Format.count(events, "usage event"), setup / 1e9,
                    subscriptions / (setup / 1e9));
            out.printf("  create run         %7.2f s  (cpu %6.2f s; %s created, in their grace hour)%n",
                    createTook / 1e9, createCpu / 1e9, Format.count(create.created(), "draft"));
            out.printf("  re-rate, nothing   %7.2f s  (cpu %6.2f s; %,d re-rated, %,d unchanged)%n", quietTook / 1e9,
                    quietCpu / 1e9, quiet.rerated(), quiet.unchanged());
            out.printf("  re-rate, 1%% late   %7.2f s  (cpu %6.2f s; %,d re-rated, %,d unchanged)%n",
                    onePercentTook / 1e9, onePercentCpu / 1e9, onePercent.rerated(), onePercent.unchanged());
            out.printf("  finalize run       %7.2f s  (cpu %6.2f s; %,d finalized)%n", finalizeTook / 1e9,
                    finalizeCpu / 1e9, finalize.finalized());
            out.printf("  billed             %7.2f s  (cpu %6.2f s; created + finalized: %,.0f subscriptions/s)%n",
                    billed, (createCpu + finalizeCpu) / 1e9, subscriptions / billed);
            out.printf("  heap after GC      %,d MB before the runs, %,d MB after; peak while running %,d MB%n",
                    heapBefore >> 20, heapAfter >> 20, peak >> 20);
            boolean ok = create.created() == subscriptions && quiet.rerated() == 0
                    && onePercent.rerated() == changed && finalize.finalized() == subscriptions;
            out.println("  result: " + (ok ? "consistent" : "INCONSISTENT"));
            return ok ? 0 : 1;
        } finally {
            deleteQuietly(dir);
        }
    }

    /**
     * CPU time of this thread (the runs and the embedded store's SQLite calls run on it), in ns: on a shared machine
     * it shows the work apart from the time spent waiting for a core.
     */
    private static long cpu() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static long heapAfterGc() {
        System.gc();
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long peakHeap() {
        long peak = 0;
        for (java.lang.management.MemoryPoolMXBean pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    private static void ingest(Engine engine, CloudEventReader reader, String tenant, StringBuilder batch) {
        byte[] body = (batch.toString() + "]").getBytes(StandardCharsets.UTF_8);
        engine.ingest(tenant, reader.read(body, CloudEventReader.BodyShape.BATCH));
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }
}

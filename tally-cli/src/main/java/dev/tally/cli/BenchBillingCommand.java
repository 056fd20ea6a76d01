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
 * {@code tally bench billing}: a billing run over many subscriptions with usage, on an engine in this
 * process with a fresh data directory and a clock it moves: subscriptions start on the 1st of a month,
 * usage arrives during it, and the run at the month's end is timed (drafts, then finalization: grace 0).
 */
@Command(name = "billing", mixinStandardHelpOptions = true,
        description = "Time a billing run over many subscriptions with usage (embedded engine).")
final class BenchBillingCommand implements Callable<Integer> {
    @Option(names = "--subscriptions", paramLabel = "N", defaultValue = "100000", description = "Subscriptions to bill.")
    int subscriptions;

    @Option(names = "--events-per-subscription", paramLabel = "N", defaultValue = "3",
            description = "Usage events per subscription.")
    int eventsPer;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws IOException {
        Path dir = Files.createTempDirectory("tally-bench-billing");
        ManualClock clock = new ManualClock(Instant.parse("2026-11-01T00:00:00Z"));
        ObjectMapper json = Json.newMapper();
        String tenant = Engine.DEFAULT_TENANT;
        try (Engine engine = Engine.open(EngineConfig.of(dir), clock)) {
            Billing billing = engine.billing();
            engine.createMeter(tenant, json.readTree(
                    "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\",\"value_path\":\"tokens\"}"));
            billing.createPlan(tenant, json.readTree("{\"key\":\"pro\",\"name\":\"Pro\",\"currency\":\"USD\","
                    + "\"interval\":\"monthly\",\"tax_rates\":[{\"name\":\"VAT\",\"percent\":\"20\"}],\"charges\":["
                    + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Platform\",\"amount\":\"49\",\"timing\":\"in_arrears\"},"
                    + "{\"key\":\"tokens\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tokens\",\"included_quantity\":\"100\","
                    + "\"price\":{\"model\":\"graduated\",\"tiers\":[{\"up_to\":\"1000\",\"unit_price\":\"0.01\"},"
                    + "{\"up_to\":null,\"unit_price\":\"0.005\",\"flat_fee\":\"1\"}]}}]}"));
            billing.setGracePeriod(tenant, Duration.ZERO);
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
            clock.set(Instant.parse("2026-12-01T00:00:00Z"));
            long started = System.nanoTime();
            BillingRunResult result = billing.run(tenant);
            long took = System.nanoTime() - started;
            out.printf("bench billing: %s with %s (setup %.1f s)%n", Format.count(subscriptions, "subscription"),
                    Format.count(events, "usage event"), setup / 1e9);
            out.printf("  billing run      %.2f s  (%s created, %,d finalized; %,.0f invoices/s)%n",
                    took / 1e9, Format.count(result.created(), "invoice"), result.finalized(), result.created() / (took / 1e9));
            boolean ok = result.created() == subscriptions && result.finalized() == subscriptions;
            out.println("  result: " + (ok ? "consistent" : "INCONSISTENT"));
            return ok ? 0 : 1;
        } finally {
            deleteQuietly(dir);
        }
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

package dev.tally.cli;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.util.Map;

/**
 * The ingest load generator: creates the meter, generates every request in
 * memory, then sends them and measures. The summary says whether the server
 * counted exactly what was sent: accepted + duplicates + rejected equals the
 * events sent, and duplicates equals the re-sends generated.
 */
final class IngestBenchmark {
    /**
     * @param duplicateFraction share of events that re-send an earlier event, in [0, 1)
     */
    record Settings(long events, BigDecimal duplicateFraction, int batch, int concurrency, int customers, long seed,
            RetryPolicy retry, boolean progress) {
        Settings {
            if (events < 1) {
                throw new IllegalArgumentException("--events must be at least 1");
            }
            if (duplicateFraction.signum() < 0 || duplicateFraction.compareTo(BigDecimal.ONE) >= 0) {
                throw new IllegalArgumentException("--duplicates must be at least 0 and less than 1");
            }
            if (batch < 1 || concurrency < 1 || customers < 1) {
                throw new IllegalArgumentException("--batch, --concurrency and --customers must be positive");
            }
        }

        long duplicates() {
            return BigDecimal.valueOf(events).multiply(duplicateFraction).setScale(0, RoundingMode.DOWN)
                    .longValueExact();
        }
    }

    /** The outcome of a run, as printed and as returned to callers (tests). */
    record Summary(long events, long generatedDuplicates, BatchSender.Result result) {
        long sent() {
            return result.sent();
        }

        long accepted() {
            return result.accepted();
        }

        long duplicates() {
            return result.duplicates();
        }

        long rejected() {
            return result.rejected();
        }

        long eventsPerSecond() {
            return Format.perSecond(result.sent(), result.wallNanos());
        }

        /** Every batch acknowledged, counts add up, and exactly the generated duplicates were found. */
        boolean consistent() {
            return result.failedBatches() == 0 && result.sent() == events && result.countsAddUp()
                    && result.duplicates() == generatedDuplicates;
        }

        void print(PrintWriter out) {
            int w = 12;
            out.printf("  %-14s %" + w + "s%n", "sent", Format.count(sent()));
            out.printf("  %-14s %" + w + "s%n", "accepted", Format.count(accepted()));
            out.printf("  %-14s %" + w + "s  (generated %s)%s%n", "duplicates", Format.count(duplicates()),
                    Format.count(generatedDuplicates), duplicates() == generatedDuplicates ? "" : "  MISMATCH");
            out.printf("  %-14s %" + w + "s%n", "rejected", Format.count(rejected()));
            if (result.failedBatches() > 0 || result.retries() > 0) {
                out.printf("  %-14s %" + w + "s%n", "failed batches", Format.count(result.failedBatches()));
                out.printf("  %-14s %" + w + "s%n", "retries", Format.count(result.retries()));
            }
            out.printf("  %-14s %" + w + "s s%n", "wall time", Format.seconds(result.wallNanos()));
            out.printf("  %-14s %" + w + "s events/s%n", "throughput", Format.count(eventsPerSecond()));
            out.printf("  %-14s %s%n", "batch latency", result.latency().describe());
            result.failures().forEach(f -> out.println("  failure: " + f));
            out.println(consistent() ? "  result: consistent" : "  result: INCONSISTENT");
            out.flush();
        }
    }

    private IngestBenchmark() {
    }

    /** Ids in the dedup window and heap per tier of the server's duplicate index, and bytes per id. */
    static void printDedup(Map<String, Long> m, PrintWriter out) {
        for (String tier : new String[] {"memory", "disk"}) {
            long ids = m.getOrDefault("tally_dedup_window_ids{tier=\"" + tier + "\"}", 0L);
            long heap = m.getOrDefault("tally_dedup_heap_bytes{tier=\"" + tier + "\"}", 0L);
            String perId = ids == 0 ? "-" : Format.decimal(heap, ids, 2);
            out.printf("  %-14s %s ids, %s heap bytes (%s B/id)", "dedup " + tier, Format.count(ids),
                    Format.count(heap), perId);
            if (tier.equals("disk")) {
                long file = m.getOrDefault("tally_dedup_disk_bytes", 0L);
                out.printf(", %s slice files, %s bytes mapped (%s B/id)", Format.count(m.getOrDefault(
                        "tally_dedup_slices", 0L)), Format.count(file), ids == 0 ? "-" : Format.decimal(file, ids, 2));
            }
            out.println();
        }
        long heapPositions = m.getOrDefault("tally_usage_positions{tier=\"heap\"}", 0L);
        long diskPositions = m.getOrDefault("tally_usage_positions{tier=\"disk\"}", 0L);
        out.printf("  %-14s %s in heap, %s heap bytes; %s on disk, %s bytes of index files%n", "positions",
                Format.count(heapPositions), Format.count(m.getOrDefault("tally_position_index_bytes", 0L)),
                Format.count(diskPositions), Format.count(m.getOrDefault("tally_usage_position_index_file_bytes", 0L)));
        out.flush();
    }

    /** CPU time of this whole process (every thread), or 0 where the JVM cannot tell. */
    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? Math.max(0, os.getProcessCpuTime()) : 0;
    }

    static Summary run(BenchTarget target, Settings s, Clock clock, PrintWriter out, PrintWriter err) {
        target.ensureBenchMeter(s.retry());
        long duplicates = s.duplicates();
        String runId = Long.toString(BenchWorkload.mix(s.seed() ^ System.nanoTime()) >>> 24, 36);
        err.printf("generating %s (%s) in batches of %s...%n", Format.count(s.events(), "event"),
                Format.count(duplicates, "duplicate"), Format.count(s.batch()));
        err.flush();
        long t0 = System.nanoTime();
        BenchWorkload workload = BenchWorkload.ingest(s.events(), duplicates, s.batch(), s.customers(), s.seed(),
                runId, clock.instant(), new BenchWorkload.RequestHead(target.target("/v1/events"),
                        target.hostHeader(), target.key()));
        err.printf("generated %s, %s MB, in %s s; sending over %s to %s%n",
                Format.count(workload.requests().size(), "request"), Format.count(workload.bytes() >> 20),
                Format.seconds(System.nanoTime() - t0), Format.count(s.concurrency(), "connection"),
                target.description());
        err.flush();
        BatchSender.Result result;
        long cpu0 = processCpuNanos();
        try (ProgressBar bar = ProgressBar.start(err, "ingest", s.events(), s.progress())) {
            result = BatchSender.send(target.host(), target.port(), workload, s.concurrency(), s.retry(), bar);
        }
        Summary summary = new Summary(s.events(), duplicates, result);
        out.printf("bench ingest: %s in %s of %s over %s (%s)%n",
                Format.count(s.events(), "event"), Format.count(result.batches(), "batch", "batches"),
                Format.count(s.batch()), Format.count(s.concurrency(), "connection"), target.description());
        summary.print(out);
        long cpu = processCpuNanos() - cpu0;
        if (target.engine().isPresent() && cpu > 0) {
            // server and generator share this process (the generator's requests are built before timing starts):
            // CPU per event is the figure a loaded machine distorts least
            out.printf("  %-14s %s s, %s us per event, %s events per CPU-second (this process)%n", "cpu",
                    Format.seconds(cpu), Format.decimal(cpu / 1_000, s.events(), 2),
                    Format.count(Format.perSecond(s.events(), cpu)));
        }
        printDedup(target.metrics(s.retry()), out);
        return summary;
    }
}

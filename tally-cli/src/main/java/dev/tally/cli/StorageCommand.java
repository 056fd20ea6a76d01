package dev.tally.cli;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tally storage}: what the server's storage holds, from its {@code /metrics}: ids in the dedup window and
 * heap per tier of the duplicate index, its disk tier, the log (bytes local and archived, segments by state, the
 * oldest local record) and the checkpoints: age, what the last one took and wrote, and the size of the chain a
 * restart loads.
 */
@Command(name = "storage", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Print what the server's storage holds (from its /metrics): ids in the dedup window and heap "
                + "per tier of the duplicate index, the disk tier's files, the log's bytes local and archived, its "
                + "segments and oldest local record, and the checkpoints (age, duration and bytes of the last one, "
                + "size of the chain).",
                "Exit status 0 on success, 1 when the server cannot be read."})
final class StorageCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:TALLY_URL:-http://localhost:8080}",
            description = "Server URL ($TALLY_URL if set).")
    URI url;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "3", description = "Re-sends on 503/connection errors.")
    int retries;

    @Override
    public Integer call() {
        ApiClient client = new ApiClient(url, "", RetryPolicy.withRetries(retries));
        ApiResponse response = client.send(HttpRequest.newBuilder(URI.create(client.base() + "/metrics"))
                .timeout(Duration.ofSeconds(30)).GET().build());
        if (!response.ok()) {
            throw new RequestFailedException("cannot read /metrics: HTTP " + response.status(), response.status());
        }
        Map<String, BigDecimal> exact = parseExact(response.text());
        Map<String, Long> m = parse(response.text());
        PrintWriter out = spec.commandLine().getOut();
        out.println("duplicate index (ids kept for the dedup window)");
        out.printf("  %-8s %16s %16s %10s%n", "tier", "ids in window", "heap bytes", "heap B/id");
        for (String tier : new String[] {"memory", "disk"}) {
            long ids = m.getOrDefault("tally_dedup_window_ids{tier=\"" + tier + "\"}", 0L);
            long heap = m.getOrDefault("tally_dedup_heap_bytes{tier=\"" + tier + "\"}", 0L);
            out.printf("  %-8s %16s %16s %10s%n", tier, Format.count(ids), Format.count(heap),
                    ids == 0 ? "-" : Format.decimal(heap, ids, 1));
        }
        out.printf("  disk tier: %s slice files, %s bytes memory-mapped%n",
                Format.count(m.getOrDefault("tally_dedup_slices", 0L)),
                Format.count(m.getOrDefault("tally_dedup_disk_bytes", 0L)));
        out.printf("event log: %s bytes as written; %s bytes on local disk, %s bytes archived%n",
                Format.count(m.getOrDefault("tally_log_size_bytes", 0L)),
                Format.count(m.getOrDefault("tally_log_bytes{location=\"local\"}", 0L)),
                Format.count(m.getOrDefault("tally_log_bytes{location=\"archived\"}", 0L)));
        Long oldest = m.get("tally_log_oldest_local_record_timestamp_seconds");
        out.printf("  segments: %s plain, %s compressed, %s archived; oldest local record: %s%n",
                Format.count(m.getOrDefault("tally_log_segments{state=\"plain\"}", 0L)),
                Format.count(m.getOrDefault("tally_log_segments{state=\"compressed\"}", 0L)),
                Format.count(m.getOrDefault("tally_log_segments{state=\"archived\"}", 0L)),
                oldest == null ? "-" : java.time.Instant.ofEpochSecond(oldest).toString());
        long heapPositions = m.getOrDefault("tally_usage_positions{tier=\"heap\"}", 0L);
        long diskPositions = m.getOrDefault("tally_usage_positions{tier=\"disk\"}", 0L);
        long indexFiles = m.getOrDefault("tally_usage_position_index_file_bytes", 0L);
        out.printf("per-customer event positions: %s in heap (%s bytes of heap with the hourly counts), %s on disk "
                + "(%s bytes of index files, %s B/event)%n", Format.count(heapPositions),
                Format.count(m.getOrDefault("tally_position_index_bytes", 0L)), Format.count(diskPositions),
                Format.count(indexFiles), diskPositions == 0 ? "-" : Format.decimal(indexFiles, diskPositions, 1));
        out.printf("checkpoint: %s s ago; the last took %s s and wrote %s bytes%n",
                Format.count(m.getOrDefault("tally_checkpoint_age_seconds", 0L)),
                exact.getOrDefault("tally_checkpoint_duration_seconds", BigDecimal.ZERO)
                        .setScale(3, java.math.RoundingMode.HALF_UP).toPlainString(),
                Format.count(m.getOrDefault("tally_checkpoint_written_bytes", 0L)));
        out.printf("  chain loaded at restart: %s bytes, a base and %s deltas; %s compactions%n",
                Format.count(m.getOrDefault("tally_checkpoint_size_bytes", 0L)),
                Format.count(m.getOrDefault("tally_checkpoint_deltas", 0L)),
                Format.count(m.getOrDefault("tally_checkpoint_compactions_total", 0L)));
        out.flush();
        return 0;
    }

    /** Sample name (with its labels, without trailing commas) to value, truncated to a whole number. */
    static Map<String, Long> parse(String text) {
        Map<String, Long> values = new LinkedHashMap<>();
        parseExact(text).forEach((k, v) -> values.put(k, v.longValue()));
        return values;
    }

    /** Sample name (with its labels, without trailing commas) to its exact value. */
    static Map<String, BigDecimal> parseExact(String text) {
        Map<String, BigDecimal> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String name = line.substring(0, space).trim().replace(",}", "}");
            try {
                values.put(name, new BigDecimal(line.substring(space + 1).trim()));
            } catch (NumberFormatException e) {
                // NaN or +Inf: not a storage figure
            }
        }
        return values;
    }
}

package dev.tally.server;

import dev.tally.core.event.RejectionReason;
import dev.tally.engine.Engine;
import dev.tally.engine.ingest.IngestStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * The Prometheus registry and Tally's meters: events accepted, duplicate,
 * rejected by reason and unmatched; ingest request latency (histogram); group
 * commits; log size; remembered ids; seconds since the data was last made
 * durable in a checkpoint (the log itself is the checkpoint of record here).
 */
final class ServerMetrics {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final Timer ingestLatency;

    ServerMetrics(Engine engine) {
        IngestStats s = engine.stats();
        FunctionCounter.builder("tally_events_accepted", s, IngestStats::accepted)
                .description("Events accepted and stored").register(registry);
        FunctionCounter.builder("tally_events_duplicate", s, IngestStats::duplicates)
                .description("Events recognised as duplicates and not counted again").register(registry);
        FunctionCounter.builder("tally_events_unmatched", s, IngestStats::unmatched)
                .description("Accepted events whose type no meter reads (stored, billable later)").register(registry);
        for (RejectionReason reason : RejectionReason.values()) {
            FunctionCounter.builder("tally_events_rejected", s, x -> x.rejected(reason))
                    .tag("reason", reason.code()).description("Events rejected, by reason").register(registry);
        }
        FunctionCounter.builder("tally_log_commits", s, IngestStats::commits)
                .description("Group commits (one fsync each)").register(registry);
        Gauge.builder("tally_log_size_bytes", engine, Engine::logBytes).baseUnit("bytes")
                .description("Bytes in the event log as written (uncompressed, wherever kept)").register(registry);
        Gauge.builder("tally_checkpoint_age_seconds", engine, e -> e.checkpointAge().toMillis() / 1000.0)
                .description("Seconds since derived state was last checkpointed").register(registry);
        Gauge.builder("tally_checkpoint_duration_seconds", engine,
                e -> e.checkpointStats().lastDurationMillis() / 1000.0).baseUnit("seconds")
                .description("How long the last checkpoint held the ingest writer").register(registry);
        Gauge.builder("tally_checkpoint_written_bytes", engine, e -> e.checkpointStats().lastBytesWritten())
                .baseUnit("bytes").description("Bytes the last checkpoint wrote (a delta: what changed since the one "
                        + "before)").register(registry);
        Gauge.builder("tally_checkpoint_size_bytes", engine, e -> e.checkpointStats().totalBytes()).baseUnit("bytes")
                .description("Bytes of the checkpoint chain a restart loads (base, deltas, manifest)").register(registry);
        Gauge.builder("tally_checkpoint_deltas", engine, e -> e.checkpointStats().deltas())
                .description("Deltas in the checkpoint chain since its base").register(registry);
        FunctionCounter.builder("tally_checkpoint_compactions", engine, e -> e.checkpointStats().compactions())
                .description("Checkpoint chains compacted into a new base").register(registry);
        Gauge.builder("tally_dedup_remembered_ids", engine, Engine::rememberedIds)
                .description("Event ids remembered for exact duplicate detection").register(registry);
        Gauge.builder("tally_dedup_index_bytes", engine, Engine::dedupBytes).baseUnit("bytes")
                .description("Bytes held by the duplicate index").register(registry);
        for (String tier : new String[] {"memory", "disk"}) {
            boolean memory = tier.equals("memory");
            Gauge.builder("tally_dedup_window_ids", engine, e -> e.dedupStats()
                    .map(d -> memory ? d.memoryIds() : d.diskIds()).orElse(0L))
                    .tag("tier", tier).description("Event ids in the dedup window, by tier of the duplicate index")
                    .register(registry);
            Gauge.builder("tally_dedup_heap_bytes", engine, e -> e.dedupStats()
                    .map(d -> memory ? d.memoryHeapBytes() : d.diskHeapBytes()).orElse(0L))
                    .tag("tier", tier).baseUnit("bytes")
                    .description("Heap held by the duplicate index, by tier (the disk tier's data is memory-mapped)")
                    .register(registry);
        }
        Gauge.builder("tally_dedup_disk_bytes", engine, e -> e.dedupStats().map(d -> d.diskFileBytes()).orElse(0L))
                .baseUnit("bytes").description("Bytes of the duplicate index's disk-tier slice files (memory-mapped)")
                .register(registry);
        Gauge.builder("tally_dedup_slices", engine, e -> e.dedupStats().map(d -> (long) d.slices()).orElse(0L))
                .description("Slice files in the duplicate index's disk tier").register(registry);
        for (String where : new String[] {"local", "archived"}) {
            Gauge.builder("tally_log_bytes", engine, e -> e.logStorage()
                    .map(st -> where.equals("local") ? st.localBytes() : st.archivedBytes()).orElse(0L))
                    .tag("location", where).baseUnit("bytes")
                    .description("Bytes of the embedded event log on local disk (compressed where closed) and archived")
                    .register(registry);
        }
        for (String state : new String[] {"plain", "compressed", "archived"}) {
            Gauge.builder("tally_log_segments", engine, e -> e.logStorage().map(st -> switch (state) {
                case "plain" -> st.plainSegments();
                case "compressed" -> st.compressedSegments();
                default -> st.archivedSegments();
            }).orElse(0)).tag("state", state)
                    .description("Segments of the embedded event log: plain (incl. the active one), compressed, archived")
                    .register(registry);
        }
        Gauge.builder("tally_log_oldest_local_record_timestamp_seconds", engine, e -> e.logStorage()
                .flatMap(dev.tally.engine.archive.LogArchive.Stats::oldestLocalRecord)
                .map(t -> (double) t.getEpochSecond()).orElse(Double.NaN))
                .description("Time (epoch seconds) of the oldest record still on local disk (later of event time "
                        + "and arrival)").register(registry);
        Gauge.builder("tally_log_archive_fetches", engine, e -> e.logStorage()
                .map(dev.tally.engine.archive.LogArchive.Stats::archivedReads).orElse(0L))
                .description("Archived segments fetched back for reading since start").register(registry);
        Gauge.builder("tally_position_index_bytes", engine, Engine::positionIndexBytes).baseUnit("bytes")
                .description("Heap bytes held by the per-customer event positions and hourly event counts")
                .register(registry);
        Gauge.builder("tally_usage_positions", engine, Engine::heapPositions).tag("tier", "heap")
                .description("Event positions held, by tier: heap (the open log segment) or disk (per-segment "
                        + "index files)").register(registry);
        Gauge.builder("tally_usage_positions", engine, e -> e.positionIndexStats()
                .map(dev.tally.engine.positions.SegmentPositions.Stats::events).orElse(0L)).tag("tier", "disk")
                .description("Event positions held, by tier: heap (the open log segment) or disk (per-segment "
                        + "index files)").register(registry);
        Gauge.builder("tally_usage_position_index_file_bytes", engine, e -> e.positionIndexStats()
                .map(dev.tally.engine.positions.SegmentPositions.Stats::bytes).orElse(0L)).baseUnit("bytes")
                .description("Bytes of the per-segment position index files (memory-mapped)").register(registry);
        ingestLatency = Timer.builder("tally_ingest_request")
                .description("Time to ingest one request, durable, from body read to response")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
    }
}

package dev.tally.server;

import dev.tally.engine.ingest.EventStatus;
import dev.tally.engine.ingest.IngestResult;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this process has ingested, per tenant, since it started: accepted, duplicate and rejected events (by
 * reason), and the accepted events of the last minute (per second) and of the last day (per 15 minutes), for
 * the dashboard's "events per second" (served by {@code GET /v1/stats}). In memory only: a restart starts from
 * zero, and with several processes each counts its own traffic (Prometheus sums them at {@code /metrics}).
 */
final class IngestActivity {
    static final int SECOND_BUCKETS = 60;
    static final int DAY_BUCKET_SECONDS = 900;
    static final int DAY_BUCKETS = 86_400 / DAY_BUCKET_SECONDS;

    private final Clock clock;
    private final Instant since;
    private final Map<String, Tenant> tenants = new ConcurrentHashMap<>();

    IngestActivity(Clock clock) {
        this.clock = clock;
        this.since = clock.instant();
    }

    Instant since() {
        return since;
    }

    void record(String tenant, IngestResult result) {
        tenants.computeIfAbsent(tenant, t -> new Tenant()).record(result, clock.instant().getEpochSecond());
    }

    Snapshot snapshot(String tenant) {
        Tenant t = tenants.get(tenant);
        return t == null ? new Tenant().snapshot(clock.instant().getEpochSecond())
                : t.snapshot(clock.instant().getEpochSecond());
    }

    /**
     * Counts since start, and accepted events per second of the last minute and per 15-minute bucket of the last
     * day (oldest first; the last bucket is the current, partial one, starting at {@code lastDayStart}).
     */
    record Snapshot(long accepted, long duplicates, long rejected, Map<String, Long> rejectedByReason,
            long[] lastMinute, long lastMinuteStartEpoch, long[] lastDay, long lastDayStartEpoch) {
    }

    private static final class Tenant {
        long accepted;
        long duplicates;
        long rejected;
        final Map<String, Long> reasons = new TreeMap<>();
        final long[] seconds = new long[SECOND_BUCKETS];
        final long[] secondKeys = new long[SECOND_BUCKETS];
        final long[] quarters = new long[DAY_BUCKETS];
        final long[] quarterKeys = new long[DAY_BUCKETS];

        synchronized void record(IngestResult r, long epochSecond) {
            accepted += r.accepted();
            duplicates += r.duplicates();
            rejected += r.rejected();
            if (r.rejected() > 0) {
                for (EventStatus s : r.results()) {
                    s.reason().ifPresent(reason -> reasons.merge(reason.code(), 1L, Long::sum));
                }
            }
            if (r.accepted() > 0) {
                add(seconds, secondKeys, epochSecond, r.accepted());
                add(quarters, quarterKeys, epochSecond / DAY_BUCKET_SECONDS, r.accepted());
            }
        }

        private static void add(long[] counts, long[] keys, long key, long n) {
            int i = (int) Math.floorMod(key, (long) counts.length);
            if (keys[i] != key) {
                keys[i] = key;
                counts[i] = 0;
            }
            counts[i] += n;
        }

        private static long[] window(long[] counts, long[] keys, long lastKey) {
            long[] out = new long[counts.length];
            for (int j = 0; j < counts.length; j++) {
                long key = lastKey - counts.length + 1 + j;
                int i = (int) Math.floorMod(key, (long) counts.length);
                out[j] = keys[i] == key ? counts[i] : 0;
            }
            return out;
        }

        synchronized Snapshot snapshot(long nowEpoch) {
            long quarter = nowEpoch / DAY_BUCKET_SECONDS;
            return new Snapshot(accepted, duplicates, rejected, Map.copyOf(reasons),
                    window(seconds, secondKeys, nowEpoch), nowEpoch - SECOND_BUCKETS + 1,
                    window(quarters, quarterKeys, quarter), (quarter - DAY_BUCKETS + 1) * DAY_BUCKET_SECONDS);
        }
    }

    static List<Map.Entry<String, Long>> topReasons(Map<String, Long> reasons, int n) {
        return reasons.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(n).toList();
    }
}

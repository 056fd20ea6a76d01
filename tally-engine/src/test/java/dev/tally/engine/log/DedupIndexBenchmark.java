package dev.tally.engine.log;

import java.io.DataOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * A program (not a timed unit test) that measures the duplicate index with its disk tier in use: puts with
 * spills, then lookups of new ids (the common case: one Bloom block per slice) and of ids on disk. Arguments:
 * ids, memory budget in MiB. Prints per-tier ids and bytes per id, and nanoseconds per lookup.
 */
public final class DedupIndexBenchmark {
    private DedupIndexBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 2 && args[2].equals("compare")) {
            compare(Integer.parseInt(args[0]), Long.parseLong(args[1]) << 20);
            return;
        }
        int ids = Integer.parseInt(args[0]);
        long budget = Long.parseLong(args[1]) << 20;
        Path dir = Files.createTempDirectory("tally-dedup-bench-");
        long now = Clock.systemUTC().instant().getEpochSecond();
        try (DedupIndex index = new DedupIndex(dir, Duration.ofDays(36), budget, Clock.systemUTC())) {
            long t0 = System.nanoTime();
            for (int i = 0; i < ids; i++) {
                index.put(fp(i), position(i), now);
            }
            long putNanos = System.nanoTime() - t0;
            index.writeTo(new DataOutputStream(OutputStream.nullOutputStream())); // waits for the spills
            long settled = System.nanoTime() - t0;
            index.settle(); // and for the slice merges
            long merged = System.nanoTime() - t0;
            DedupIndex.Stats s = index.stats();
            System.out.printf("put %,d ids in %,d ms (%,d ids/s; %,d ms until every spill was written, %,d ms until "
                    + "the slices were merged)%n", ids, putNanos / 1_000_000, ids * 1_000_000_000L / Math.max(1, putNanos),
                    settled / 1_000_000, merged / 1_000_000);
            System.out.printf("memory tier: %,d ids, %,d heap bytes (%s B/id)%n", s.memoryIds(), s.memoryHeapBytes(),
                    per(s.memoryHeapBytes(), s.memoryIds()));
            System.out.printf("disk tier: %,d ids in %d slices, %,d heap bytes, %,d bytes mapped (%s B/id)%n",
                    s.diskIds(), s.slices(), s.diskHeapBytes(), s.diskFileBytes(), per(s.diskFileBytes(), s.diskIds()));
            int probes = 2_000_000;
            long[] found = {0};
            for (int round = 0; round < 2; round++) {
                found[0] = 0;
                long t1 = System.nanoTime();
                for (int i = 0; i < probes; i++) {
                    if (index.anyMatch(fp(ids + i + round * probes), p -> { found[0]++; return false; })) {
                        throw new AssertionError();
                    }
                }
                long missNanos = System.nanoTime() - t1;
                System.out.printf("lookup of a new id (round %d): %,d ns (%,d per slice), %,d positions offered to verify "
                        + "(Bloom false positives whose key matched) in %,d lookups%n", round + 1, missNanos / probes,
                        missNanos / probes / Math.max(1, s.slices()), found[0], probes);
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < probes; i++) {
                int id = (int) ((i * 2_654_435_761L) % ids);
                long want = position(id);
                if (!index.anyMatch(fp(id), p -> p == want)) {
                    throw new AssertionError("lost id " + id);
                }
            }
            System.out.printf("lookup of a stored id (random, any tier): %,d ns%n", (System.nanoTime() - t2) / probes);
        } finally {
            try (var files = Files.list(dir)) {
                files.forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }

    /**
     * The writer's per-event work (a lookup, then a put) on the previous index alone and on this one with its
     * memory tier only, alternating in one JVM: what the window bookkeeping costs when nothing spills.
     */
    static void compare(int ids, long budget) throws Exception {
        for (int round = 1; round <= 6; round++) {
            // alternate which runs first, so neither pays for the other's garbage every round
            long a = round % 2 == 1 ? plain(ids, round) : tiered(ids, budget, round);
            long b = round % 2 == 1 ? tiered(ids, budget, round) : plain(ids, round);
            long plainNanos = round % 2 == 1 ? a : b;
            long tieredNanos = round % 2 == 1 ? b : a;
            System.out.printf("round %d (%s first), %,d new ids: FingerprintIndex alone %,d ns/id, DedupIndex %,d ns/id%n",
                    round, round % 2 == 1 ? "FingerprintIndex" : "DedupIndex", ids, plainNanos / ids, tieredNanos / ids);
            System.gc();
        }
    }

    private static long plain(int ids, int round) {
        FingerprintIndex plain = new FingerprintIndex();
        long t0 = System.nanoTime();
        for (int i = 0; i < ids; i++) {
            long f = fp(i + round);
            if (!plain.anyMatch(f, p -> true)) {
                plain.put(f, position(i));
            }
        }
        return System.nanoTime() - t0;
    }

    private static long tiered(int ids, long budget, int round) throws Exception {
        long now = Clock.systemUTC().instant().getEpochSecond();
        Path dir = Files.createTempDirectory("tally-dedup-bench-");
        try (DedupIndex tiered = new DedupIndex(dir, Duration.ofDays(36), budget, Clock.systemUTC())) {
            long t1 = System.nanoTime();
            for (int i = 0; i < ids; i++) {
                long f = fp(i + round);
                if (!tiered.anyMatch(f, p -> true)) {
                    tiered.put(f, position(i), now);
                }
            }
            return System.nanoTime() - t1;
        } finally {
            try (var files = Files.list(dir)) {
                files.forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }

    static long fp(int i) {
        long x = i * 0x9E3779B97F4A7C15L;
        x ^= x >>> 31;
        x *= 0xBF58476D1CE4E5B9L;
        return x ^ (x >>> 29);
    }

    static long position(int i) {
        return ((1L + i / 1_800_000) << LogPosition.OFFSET_BITS) | (i % 1_800_000) * 140L;
    }

    static String per(long bytes, long n) {
        if (n == 0) {
            return "-";
        }
        long hundredths = (bytes * 100 + n / 2) / n;
        return hundredths / 100 + "." + String.format("%02d", hundredths % 100);
    }
}

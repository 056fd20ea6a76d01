package dev.tally.engine.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Per tenant, the instant through which every hour of its events has been covered by clean reconciliations (raw
 * events recomputed equal the live aggregates), durable in {@code reconciled-through.tsv} beside the log (temp file,
 * fsync, atomic rename). It only moves forward, and only contiguously: a clean reconciliation of {@code [from, to)}
 * advances a tenant's mark to {@code to} when {@code from} is at or before the current mark (the first one must
 * start at the epoch, i.e. cover everything).
 */
public final class ReconcileWatermark {
    static final String FILE = "reconciled-through.tsv";
    private final Path file;
    private final TreeMap<String, Instant> marks = new TreeMap<>(); // guarded by this

    private ReconcileWatermark(Path file) {
        this.file = file;
    }

    public static ReconcileWatermark load(Path logDir) {
        ReconcileWatermark w = new ReconcileWatermark(logDir.resolve(FILE));
        try {
            if (Files.exists(w.file)) {
                for (String line : Files.readAllLines(w.file, StandardCharsets.UTF_8)) {
                    int tab = line.lastIndexOf('\t');
                    if (tab > 0) {
                        w.marks.put(line.substring(0, tab), Instant.parse(line.substring(tab + 1)));
                    }
                }
            }
            return w;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read " + w.file, e);
        }
    }

    /** The tenant's mark; the epoch when it was never reconciled. */
    public synchronized Instant of(String tenant) {
        return marks.getOrDefault(tenant, Instant.EPOCH);
    }

    /** The lowest mark over these tenants; empty when there are none. */
    public synchronized Optional<Instant> lowest(List<String> tenants) {
        return tenants.stream().map(this::of).min(Instant::compareTo);
    }

    /** Records a clean reconciliation of {@code [from, to)}; returns whether the tenant's mark moved. */
    public synchronized boolean clean(String tenant, Instant from, Instant to) {
        Instant mark = of(tenant);
        if (from.isAfter(mark) || !to.isAfter(mark)) {
            return false;
        }
        TreeMap<String, Instant> next = new TreeMap<>(marks);
        next.put(tenant, to);
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Instant> e : next.entrySet()) {
            text.append(e.getKey()).append('\t').append(e.getValue()).append('\n');
        }
        try {
            LocalFiles.writeAtomically(file, text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        marks.put(tenant, to);
        return true;
    }
}

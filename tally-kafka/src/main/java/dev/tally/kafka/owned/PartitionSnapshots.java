package dev.tally.kafka.owned;

import dev.tally.engine.objectstore.ObjectInfo;
import dev.tally.engine.objectstore.ObjectStore;
import dev.tally.engine.objectstore.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Snapshots of partition logs in an object store (a shared directory or S3), so that a partition's next owner can
 * restore it. A snapshot is the log's segment files as they were between two feeds (so it ends with a progress
 * record): sealed segments are stored once under {@code <topic>/<partition>/segments/<file>-<sha256>} (they never
 * change),
 * the active one under {@code <topic>/<partition>/snapshots/<offset>/<file>}, and the snapshot's manifest, put
 * last, names them all; so a snapshot is either complete or invisible. The latest snapshot is the one with the
 * highest offset: every snapshot of a partition is a prefix of the same topic partition, so a late one from a
 * worker that lost the partition can never replace a later state. The two latest snapshots are kept.
 */
final class PartitionSnapshots {
    private static final String MANIFEST = "manifest";
    private final ObjectStore store;
    private final String topic;
    private final java.util.Map<Path, String> sealedKeys = new java.util.concurrent.ConcurrentHashMap<>();

    /** A snapshot's offset and manifest key. */
    record Latest(long offset, String manifestKey) {
    }

    PartitionSnapshots(ObjectStore store, String topic) {
        this.store = store;
        this.topic = topic;
    }

    private String prefix(int partition) {
        return topic + "/" + partition + "/";
    }

    /** The snapshot with the highest offset, if any. */
    Optional<Latest> latest(int partition) {
        String snapshots = prefix(partition) + "snapshots/";
        Latest best = null;
        for (ObjectInfo o : store.list(snapshots)) {
            String rest = o.key().substring(snapshots.length());
            if (rest.endsWith("/" + MANIFEST)) {
                long offset = Long.parseLong(rest.substring(0, rest.indexOf('/')));
                if (best == null || offset > best.offset()) {
                    best = new Latest(offset, o.key());
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Publishes the log in {@code logDir} (quiescent: its feeder is the caller) as the snapshot of {@code offset}.
     */
    void publish(int partition, Path logDir, long offset) {
        List<Path> segments = segments(logDir);
        if (segments.isEmpty()) {
            return;
        }
        String snapshot = prefix(partition) + "snapshots/" + String.format("%020d", offset) + "/";
        StringBuilder manifest = new StringBuilder("offset " + offset + "\n");
        for (int i = 0; i < segments.size(); i++) {
            Path file = segments.get(i);
            String name = file.getFileName().toString();
            boolean active = i == segments.size() - 1;
            long size = size(file);
            ObjectInfo info;
            if (active) {
                info = store.put(snapshot + name, file);
            } else {
                // keyed by content: two owners' logs of one partition hold the same events but not always the
                // same bytes (their batches differ), so a segment name alone could mix them
                String key = sealedKeys.computeIfAbsent(file, f -> prefix(partition) + "segments/" + name + "-"
                        + Sha256.of(f).substring(0, 16));
                info = store.head(key).filter(o -> o.size() == size).orElseGet(() -> store.put(key, file));
            }
            String key = info.key();
            manifest.append("segment ").append(name).append(' ').append(key).append(' ').append(info.size()).append('\n');
        }
        Path tmp = logDir.resolveSibling("snapshot-manifest.tmp");
        try {
            Files.writeString(tmp, manifest, StandardCharsets.UTF_8);
            store.put(snapshot + MANIFEST, tmp);
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        prune(partition);
    }

    /** Keeps the two latest snapshots of the partition (sealed segments are shared by all and kept). */
    private void prune(int partition) {
        String snapshots = prefix(partition) + "snapshots/";
        TreeMap<Long, List<String>> byOffset = new TreeMap<>();
        for (ObjectInfo o : store.list(snapshots)) {
            String rest = o.key().substring(snapshots.length());
            byOffset.computeIfAbsent(Long.parseLong(rest.substring(0, rest.indexOf('/'))), k -> new ArrayList<>())
                    .add(o.key());
        }
        while (byOffset.size() > 2) {
            // the manifest first, so a half-deleted snapshot is never taken for a complete one
            List<String> keys = byOffset.pollFirstEntry().getValue();
            keys.stream().filter(k -> k.endsWith("/" + MANIFEST)).forEach(store::delete);
            keys.stream().filter(k -> !k.endsWith("/" + MANIFEST)).forEach(store::delete);
        }
    }

    /** Downloads the snapshot into {@code logDir} (which must not exist yet); returns its offset. */
    long restore(Latest latest, Path logDir) {
        sealedKeys.keySet().removeIf(p -> p.startsWith(logDir));
        try {
            Files.createDirectories(logDir);
            Path manifestFile = logDir.resolveSibling("snapshot-manifest.tmp");
            store.get(latest.manifestKey(), manifestFile)
                    .orElseThrow(() -> new IllegalStateException("snapshot " + latest.manifestKey() + " disappeared"));
            List<String> lines = Files.readAllLines(manifestFile, StandardCharsets.UTF_8);
            Files.delete(manifestFile);
            long offset = Long.parseLong(lines.get(0).substring("offset ".length()));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(" ");
                Path target = logDir.resolve(f[1]);
                store.get(f[2], target).orElseThrow(() -> new IllegalStateException("snapshot segment " + f[2]
                        + " is missing"));
                if (Files.size(target) != Long.parseLong(f[3])) {
                    throw new IllegalStateException("snapshot segment " + f[2] + " has the wrong size");
                }
            }
            return offset;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore partition snapshot " + latest.manifestKey(), e);
        }
    }

    private static List<Path> segments(Path logDir) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(logDir, "segment-*.log")) {
            s.forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(null);
        return out;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

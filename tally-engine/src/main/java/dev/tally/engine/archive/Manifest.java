package dev.tally.engine.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The local record of archived segments, {@code archive-manifest.tsv} beside the log: one line per segment and a
 * last line with the CRC32C of the others. Rewritten whole as temp file + fsync + atomic rename + directory fsync,
 * so after a crash it is the old list or the new one. An entry is added only after the object was uploaded and
 * verified; the local copy is deleted only after the entry is durable.
 */
final class Manifest {
    static final String FILE = "archive-manifest.tsv";
    private final Path file;
    private final NavigableMap<Integer, ArchivedSegment> entries = new TreeMap<>(); // guarded by this

    private Manifest(Path file) {
        this.file = file;
    }

    static Manifest load(Path dir) {
        Manifest m = new Manifest(dir.resolve(FILE));
        if (!Files.exists(m.file)) {
            return m;
        }
        try {
            List<String> lines = Files.readAllLines(m.file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(lines.size() - 1).startsWith("crc32c ")) {
                throw new IllegalStateException(m.file + " is incomplete");
            }
            List<String> body = lines.subList(0, lines.size() - 1);
            if (!lines.get(lines.size() - 1).equals("crc32c " + crc(body))) {
                throw new IllegalStateException(m.file + " fails its checksum");
            }
            for (String line : body) {
                ArchivedSegment e = ArchivedSegment.parse(line);
                m.entries.put(e.segment(), e);
            }
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + m.file, e);
        }
    }

    private static String crc(List<String> lines) {
        CRC32C c = new CRC32C();
        for (String l : lines) {
            c.update((l + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return Long.toHexString(c.getValue());
    }

    synchronized NavigableMap<Integer, ArchivedSegment> entries() {
        return Collections.unmodifiableNavigableMap(new TreeMap<>(entries));
    }

    synchronized ArchivedSegment get(int segment) {
        return entries.get(segment);
    }

    /** Adds an entry durably (or replaces the segment's entry). */
    synchronized void add(ArchivedSegment e) throws IOException {
        TreeMap<Integer, ArchivedSegment> next = new TreeMap<>(entries);
        next.put(e.segment(), e);
        List<String> lines = new ArrayList<>();
        next.values().forEach(x -> lines.add(x.line()));
        String text = String.join("\n", lines) + (lines.isEmpty() ? "" : "\n") + "crc32c " + crc(lines) + "\n";
        LocalFiles.writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
        entries.clear();
        entries.putAll(next);
    }
}

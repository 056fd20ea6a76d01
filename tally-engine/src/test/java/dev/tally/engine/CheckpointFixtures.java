package dev.tally.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** File helpers of the checkpoint tests: a data directory copied at a crash point, and the files of a chain. */
public final class CheckpointFixtures {
    private CheckpointFixtures() {
    }

    /** Copies a directory tree (the data directory as a crash would leave it, when nothing writes meanwhile). */
    public static void copyTree(Path from, Path to) {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.sorted().toList()) {
                if (p.getFileName().toString().equals("lock")) {
                    continue; // held by the running engine; a crashed process holds nothing
                }
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The files of a directory whose name starts with {@code prefix}, sorted. */
    public static List<Path> files(Path dir, String prefix) {
        try (Stream<Path> all = Files.list(dir)) {
            return all.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The one file of a directory whose name starts with {@code prefix}. */
    public static Path only(Path dir, String prefix) {
        List<Path> found = files(dir, prefix);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + prefix + "* in " + dir + ", found " + found);
        }
        return found.get(0);
    }
}

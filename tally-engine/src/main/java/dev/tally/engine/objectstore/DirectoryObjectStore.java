package dev.tally.engine.objectstore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Objects as files under a root directory. A put copies to a hidden temp file in the target directory, fsyncs it,
 * writes the checksum beside it ({@code .<name>.sha256}, itself temp + fsync + rename), renames the data file over the
 * key atomically and fsyncs the directory: a crash leaves either the old object or the new one, plus at most a
 * hidden temp file that {@link #list} never shows and the next put of that key replaces.
 */
public final class DirectoryObjectStore implements ObjectStore {
    private final Path root;

    public DirectoryObjectStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new ObjectStoreException("cannot create the export directory", e);
        }
    }

    private Path file(String key) {
        Path p = root.resolve(ObjectStore.checkKey(key)).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("invalid object key");
        }
        return p;
    }

    private static Path sumFile(Path data) {
        return data.resolveSibling("." + data.getFileName() + ".sha256");
    }

    @Override
    public ObjectInfo put(String key, Path source) {
        Path target = file(key);
        try {
            Files.createDirectories(target.getParent());
            String sha = Sha256.of(source);
            Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
            Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
            fsync(tmp);
            if (!Sha256.of(tmp).equals(sha)) {
                Files.deleteIfExists(tmp);
                throw new ChecksumMismatchException(key);
            }
            Path sumTmp = target.resolveSibling("." + target.getFileName() + ".sha256.tmp");
            Files.writeString(sumTmp, sha + "\n");
            fsync(sumTmp);
            move(sumTmp, sumFile(target));
            move(tmp, target);
            fsync(target.getParent());
            return new ObjectInfo(key, Files.size(target), sha);
        } catch (IOException e) {
            throw new ObjectStoreException("cannot write object '" + key + "'", e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new ObjectStoreException("the export directory does not support atomic renames", e);
        }
    }

    private static void fsync(Path p) throws IOException {
        try (FileChannel ch = Files.isDirectory(p) ? FileChannel.open(p, StandardOpenOption.READ)
                : FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            if (!Files.isDirectory(p)) {
                throw e;
            }
            // some file systems refuse to open a directory for fsync; the rename is still atomic there
        }
    }

    @Override
    public Optional<ObjectInfo> get(String key, Path target) {
        Optional<ObjectInfo> info = head(key);
        if (info.isEmpty()) {
            return info;
        }
        try {
            Files.copy(file(key), target, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ObjectStoreException("cannot read object '" + key + "'", e);
        }
        if (!Sha256.of(target).equals(info.get().sha256())) {
            throw new ChecksumMismatchException(key);
        }
        return info;
    }

    @Override
    public Optional<ObjectInfo> head(String key) {
        Path f = file(key);
        try {
            if (!Files.isRegularFile(f)) {
                return Optional.empty();
            }
            Path sum = sumFile(f);
            String sha = Files.isRegularFile(sum) ? Files.readString(sum).trim() : Sha256.of(f);
            return Optional.of(new ObjectInfo(key, Files.size(f), sha));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ObjectStoreException("cannot read object '" + key + "'", e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        List<ObjectInfo> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> files = s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparing(p -> root.relativize(p).toString().replace('\\', '/'))).toList();
            for (Path p : files) {
                String key = root.relativize(p).toString().replace('\\', '/');
                if (key.startsWith(prefix)) {
                    head(key).ifPresent(out::add);
                }
            }
        } catch (IOException e) {
            throw new ObjectStoreException("cannot list the export directory", e);
        }
        return out;
    }

    @Override
    public void delete(String key) {
        Path f = file(key);
        try {
            Files.deleteIfExists(f);
            Files.deleteIfExists(sumFile(f));
        } catch (IOException e) {
            throw new ObjectStoreException("cannot delete object '" + key + "'", e);
        }
    }

    @Override
    public String describe() {
        return root.toUri().toString();
    }
}

package dev.tally.engine.secrets;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files only the server's user may read: directories are created {@code rwx------} (0700) and files
 * {@code rw-------} (0600), at creation (no window in which they have the umask's mode), and {@link #tighten}
 * corrects anything already there. On a file system without POSIX permissions (Windows) every method does
 * what it would do without the modes.
 */
public final class PrivateFiles {
    private static final Logger LOG = LoggerFactory.getLogger(PrivateFiles.class);
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    private static boolean posix(Path p) {
        Path existing = p.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing != null && existing.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /**
     * Creates a directory (and missing parents: those it creates are 0700 too) or, when it exists, makes it
     * 0700 if it was not, logging the change.
     */
    public static void directory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            Set<PosixFilePermission> was = mode(dir);
            if (tightenOne(dir, DIRECTORY)) {
                LOG.warn("the data directory {} was {}; made it rwx------ (only the server's user may read it)",
                        dir.toAbsolutePath(), PosixFilePermissions.toString(was));
            }
            return;
        }
        if (posix(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
            // createDirectories applies the umask to the attribute; set the mode exactly
            Files.setPosixFilePermissions(dir, DIRECTORY);
        } else {
            Files.createDirectories(dir);
        }
    }

    /** Opens a file (with the options of {@link FileChannel#open}); when this creates it, it is created 0600. */
    public static FileChannel open(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> set = new java.util.HashSet<>(List.of(options));
        if (posix(file)) {
            FileChannel ch = FileChannel.open(file, set, PosixFilePermissions.asFileAttribute(FILE));
            if (tightenOne(file, FILE)) {
                LOG.warn("{} was readable by others; made it rw-------", file);
            }
            return ch;
        }
        return FileChannel.open(file, set);
    }

    /** Creates an empty file 0600 if there is none; makes an existing one 0600. */
    public static void createFile(Path file) throws IOException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            tightenOne(file, FILE);
            return;
        }
        FileAttribute<?>[] attrs = posix(file) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)}
                : new FileAttribute<?>[0];
        Files.createFile(file, attrs);
    }

    /**
     * Makes the directory and everything below it private: directories 0700, regular files 0600 (symbolic
     * links are not followed). Returns the paths whose mode was changed; each is logged.
     */
    public static List<Path> tighten(Path dir) throws IOException {
        List<Path> changed = new ArrayList<>();
        if (!Files.isDirectory(dir) || !posix(dir)) {
            return changed;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (tightenOne(d, DIRECTORY)) {
                    changed.add(d);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() && tightenOne(f, FILE)) {
                    changed.add(f);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
                // a file removed while walking (e.g. a checkpoint's temporary file): nothing to tighten
                return FileVisitResult.CONTINUE;
            }
        });
        if (!changed.isEmpty()) {
            LOG.warn("made {} path(s) under {} private (directories rwx------, files rw-------), e.g. {}",
                    changed.size(), dir.toAbsolutePath(), changed.subList(0, Math.min(5, changed.size())));
        }
        return changed;
    }

    private static Set<PosixFilePermission> mode(Path p) throws IOException {
        return posix(p) ? Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS) : Set.of();
    }

    /** Sets the mode if it differs; returns whether it did. */
    private static boolean tightenOne(Path p, Set<PosixFilePermission> mode) throws IOException {
        if (!posix(p) || Files.isSymbolicLink(p)) {
            return false;
        }
        Set<PosixFilePermission> now;
        try {
            now = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException gone) {
            return false;
        }
        if (now.equals(mode)) {
            return false;
        }
        Files.setPosixFilePermissions(p, mode);
        return true;
    }
}

package dev.tally.engine.archive;

import dev.tally.engine.secrets.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Small durable-file steps: atomic replacement of a small file, and directory fsync. Files are private (0600). */
final class LocalFiles {
    private LocalFiles() {
    }

    /** Replaces {@code file} with {@code content}: temp file, fsync, atomic rename, directory fsync. */
    static void writeAtomically(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = PrivateFiles.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(file.getParent());
    }

    static void fsyncDirectory(Path dir) throws IOException {
        dev.tally.engine.log.SegmentFiles.fsyncDirectory(dir);
    }
}

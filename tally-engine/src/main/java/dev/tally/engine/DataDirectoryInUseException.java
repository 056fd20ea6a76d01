package dev.tally.engine;

import java.nio.file.Path;

/**
 * Another engine, in this process or another, holds the lock of the data directory (its {@code lock} file):
 * one engine per data directory, so nothing was opened or changed.
 */
public final class DataDirectoryInUseException extends IllegalStateException {
    private final transient Path dataDir;

    public DataDirectoryInUseException(Path dataDir) {
        super("another Tally process is using " + dataDir);
        this.dataDir = dataDir;
    }

    /** The data directory that is in use. */
    public Path dataDir() {
        return dataDir;
    }
}

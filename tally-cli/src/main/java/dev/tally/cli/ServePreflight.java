package dev.tally.cli;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * What {@code tally serve} checks before it creates anything: that no other Tally process holds the data
 * directory's lock (read without creating the directory or the lock file) and that the port is free (bound
 * and released at once). Each problem becomes one line naming the option that avoids it; the checks leave
 * the file system as they found it. The engine still takes the lock itself, so a process that starts in
 * between is caught there.
 */
final class ServePreflight {
    /** The lock file the engine holds in its data directory. */
    static final String LOCK_FILE = "lock";

    private ServePreflight() {
    }

    /**
     * Throws {@link CliFailureException} when {@code dataDir} is in use or {@code address} cannot be bound.
     *
     * @param address the address the server will listen on, or empty when this process serves no HTTP
     */
    static void check(Path dataDir, Optional<InetSocketAddress> address) {
        boolean dataInUse = inUse(dataDir);
        Optional<String> portProblem = address.flatMap(ServePreflight::bindProblem);
        Path shown = dataDir.toAbsolutePath().normalize();
        if (dataInUse && portProblem.isPresent()) {
            throw new CliFailureException("another Tally process is already serving the data directory " + shown
                    + " on port " + address.get().getPort() + ": stop it first, or start this one with its own "
                    + "--data DIR and --port N");
        }
        if (dataInUse) {
            throw dataInUse(shown);
        }
        portProblem.ifPresent(problem -> {
            throw portInUse(address.get().getHostString(), address.get().getPort(), problem);
        });
    }

    static CliFailureException dataInUse(Path dataDir) {
        return new CliFailureException("another Tally process is using the data directory "
                + dataDir.toAbsolutePath().normalize() + ": stop it first, or give this one its own with --data DIR");
    }

    static CliFailureException portInUse(String host, int port, String problem) {
        return new CliFailureException("cannot listen on " + host + " port " + port + " (" + problem + "): stop what "
                + "listens there, or choose another port with --port N");
    }

    /** Whether another process (or this one) holds the lock; false when there is no lock file to hold. */
    private static boolean inUse(Path dataDir) {
        Path lockFile = dataDir.resolve(LOCK_FILE);
        if (!Files.isRegularFile(lockFile)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (OverlappingFileLockException thisProcess) {
            return true;
        } catch (NoSuchFileException gone) {
            return false;
        } catch (IOException e) {
            // unreadable: let the engine say what is wrong when it opens the directory
            return false;
        }
    }

    /** Why the address cannot be bound, or empty when it can (port 0 always can). */
    private static Optional<String> bindProblem(InetSocketAddress address) {
        if (address.getPort() == 0) {
            return Optional.empty();
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(address);
            return Optional.empty();
        } catch (BindException e) {
            return Optional.of(e.getMessage() == null ? "address in use" : e.getMessage());
        } catch (IOException e) {
            return Optional.of(ApiClient.describe(e));
        }
    }
}

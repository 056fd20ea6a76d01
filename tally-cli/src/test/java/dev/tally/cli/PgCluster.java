package dev.tally.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The local PostgreSQL cluster's start and stop for outage tests ({@code pg_ctlcluster 15 main}); the tests'
 * databases come from the engine's {@code TestDatabases}.
 */
final class PgCluster {
    private PgCluster() {
    }

    /** The outcome of an external command: exit code and combined output. */
    record Run(int exit, String output) {
    }

    /** Runs a command to its end (at most {@code seconds}); never throws for a non-zero exit. */
    static Run run(int seconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            return new Run(-1, "timed out after " + seconds + " s: " + String.join(" ", command));
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** {@code pg_ctlcluster --skip-systemctl-redirect 15 main <action>} (start, stop, restart), waited for. */
    static Run cluster(String action) throws IOException, InterruptedException {
        return run(60, "pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", action);
    }

    /** Whether {@code pg_isready} says the server accepts connections. */
    static boolean isReady() throws IOException, InterruptedException {
        return run(10, "pg_isready", "-h", "127.0.0.1", "-p", "5432").exit() == 0;
    }

    /** Waits (up to {@code seconds}) until pg_isready succeeds; returns whether it did. */
    static boolean awaitReady(int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (isReady()) {
                return true;
            }
            Thread.sleep(100);
        }
        return isReady();
    }

    /** Makes sure the cluster runs (a finally block after stopping it): starts it unless it is ready. */
    static void ensureRunning() throws IOException, InterruptedException {
        if (!isReady()) {
            cluster("start");
            awaitReady(30);
        }
    }
}

package dev.tally.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Throwaway PostgreSQL databases on the local server (127.0.0.1:5432, user postgres, trust auth; .ci/run
 * starts it), and the cluster's start/stop for outage tests ({@code pg_ctlcluster 15 main}). A copy of the
 * engine's test helper, so this module does not depend on the engine's test jar.
 */
final class PgDatabases {
    static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";

    private PgDatabases() {
    }

    /** A new empty database; returns its JDBC URL. */
    static String create() {
        String name = "tally_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        exec("CREATE DATABASE " + name);
        return "jdbc:postgresql://127.0.0.1:5432/" + name + "?user=postgres";
    }

    /** Drops a database {@link #create} made (closing its connections); a no-op for null. */
    static void drop(String url) {
        if (url == null) {
            return;
        }
        String name = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
        exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static void exec(String sql) {
        try (Connection c = DriverManager.getConnection(ADMIN_URL); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at 127.0.0.1:5432 is needed for this test (" + e.getMessage()
                    + "); .ci/run starts it", e);
        }
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

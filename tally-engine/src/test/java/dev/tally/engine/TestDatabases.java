package dev.tally.engine;

import dev.tally.engine.store.Database;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Throwaway PostgreSQL databases on the local server (127.0.0.1:5432, user postgres, trust auth; .ci/run
 * starts it): each test creates its own and drops it afterwards. The environment variable TALLY_TEST_PG
 * (host:port) points the tests at another server. Shared with the modules above the engine (its test jar).
 *
 * <p>Two things keep this cheap (see CONTRIBUTING.md, "How the suite stays fast"): {@link #createMigrated} copies
 * a template database that this JVM migrated once with the production code ({@link Database#postgres}), instead of
 * running every Flyway migration again for each test; and {@link #drop} closes the database's connections at once
 * but leaves the {@code DROP DATABASE} itself (a forced PostgreSQL checkpoint, seconds on a busy disk) to a
 * background thread, which the JVM waits for before it exits.
 */
public final class TestDatabases {
    public static final String SERVER = System.getenv().getOrDefault("TALLY_TEST_PG", "127.0.0.1:5432");
    public static final String ADMIN_URL = "jdbc:postgresql://" + SERVER + "/postgres?user=postgres";

    /**
     * The secrets key of tests where several engines share one database (as every process on one database
     * must): a fixed test key, never a real one.
     */
    public static final dev.tally.engine.secrets.SecretsConfig SECRETS =
            dev.tally.engine.secrets.SecretsConfig.ofKey("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");

    /** Drops one at a time, off the test's thread; the JVM waits for them when it exits. */
    private static final ExecutorService DROPS = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-database-drops");
        t.setDaemon(true);
        return t;
    });

    /** This JVM's migrated template (a name of its own: checkouts with other migrations share the server). */
    private static String template;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TestDatabases::finishDrops, "test-database-drops-wait"));
    }

    private TestDatabases() {
    }

    /**
     * A new empty database (no schema); returns its JDBC URL. For the tests of the migrations themselves (an
     * old schema, processes racing to migrate); everything else takes {@link #createMigrated}.
     */
    public static String create() {
        String name = newName();
        exec("CREATE DATABASE " + name);
        return url(name);
    }

    /**
     * A new database with the current schema, as {@link Database#postgres} leaves an empty one: a copy of a template
     * this JVM migrated once (through that same method). Opening it migrates nothing, and validates as usual.
     */
    public static String createMigrated() {
        String name = newName();
        exec("CREATE DATABASE " + name + " TEMPLATE " + template());
        return url(name);
    }

    /**
     * Drops a database {@link #create} or {@link #createMigrated} made: its connections are closed now, the
     * database itself goes in the background (before the JVM exits); a no-op for null.
     */
    public static void drop(String url) {
        if (url == null) {
            return;
        }
        String name = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
        exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
        DROPS.execute(() -> dropNow(name));
    }

    /** DROP DATABASE, retried for a few seconds (a test may have stopped the server for a moment). */
    private static void dropNow(String name) {
        for (int attempt = 1; ; attempt++) {
            try {
                exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
                return;
            } catch (RuntimeException e) {
                if (attempt == 5) {
                    System.err.println("TestDatabases: could not drop " + name + ": " + e.getMessage());
                    return;
                }
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** The first column of the first row of a query on {@code url}. */
    public static long queryLong(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static synchronized String template() {
        if (template == null) {
            String name = "tally_template_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
            exec("CREATE DATABASE " + name);
            try (Database db = Database.postgres(url(name))) {
                db.isPostgres(); // migrated; closing the pool leaves the template without connections
            } catch (RuntimeException e) {
                drop(url(name));
                throw e;
            }
            template = name;
        }
        return template;
    }

    /** At exit: the template goes too, and the drops still queued are done (bounded: surefire waits 30 s). */
    private static void finishDrops() {
        synchronized (TestDatabases.class) {
            if (template != null) {
                String name = template;
                DROPS.execute(() -> dropNow(name));
            }
        }
        DROPS.shutdown();
        try {
            DROPS.awaitTermination(25, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String newName() {
        return "tally_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    private static String url(String name) {
        return "jdbc:postgresql://" + SERVER + "/" + name + "?user=postgres";
    }

    private static void exec(String sql) {
        try (Connection c = DriverManager.getConnection(ADMIN_URL); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + SERVER + " is needed for this test (" + e.getMessage()
                    + "); .ci/run starts it", e);
        }
    }
}

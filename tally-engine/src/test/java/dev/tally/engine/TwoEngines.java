package dev.tally.engine;

import java.nio.file.Path;
import java.time.Clock;

/**
 * Two engines (two processes, as far as the store can tell) on one new PostgreSQL database of their own, sharing
 * its secrets key as every process on one database must. Closing closes both and drops the database.
 */
public final class TwoEngines implements AutoCloseable {
    private final String url;
    private final Engine one;
    private final Engine two;

    private TwoEngines(String url, Engine one, Engine two) {
        this.url = url;
        this.one = one;
        this.two = two;
    }

    /** Opens both, with their data directories under {@code dir} ("one" and "two"). */
    public static TwoEngines open(Path dir, Clock clock) {
        String url = TestDatabases.createMigrated();
        Engine one = null;
        try {
            one = Engine.open(config(dir.resolve("one"), url), clock);
            return new TwoEngines(url, one, Engine.open(config(dir.resolve("two"), url), clock));
        } catch (RuntimeException e) {
            if (one != null) {
                one.close();
            }
            TestDatabases.drop(url);
            throw e;
        }
    }

    private static EngineConfig config(Path dir, String url) {
        return EngineConfig.of(dir).onPostgres(url).withSecrets(TestDatabases.SECRETS);
    }

    public Engine one() {
        return one;
    }

    public Engine two() {
        return two;
    }

    /** The shared database's JDBC URL. */
    public String url() {
        return url;
    }

    @Override
    public void close() {
        try {
            one.close();
        } finally {
            try {
                two.close();
            } finally {
                TestDatabases.drop(url);
            }
        }
    }
}

package dev.tally.engine;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A store that store tests run on, the same test on each: the embedded store, and PostgreSQL in a database of its
 * own made for the test (added to the test's list so that it drops it afterwards with {@link TestDatabases#drop}).
 */
public record TestStore(String name, boolean postgres) {
    /** The embedded store, then PostgreSQL: the parameters of every store test. */
    public static Stream<TestStore> both() {
        return Stream.of(new TestStore("embedded", false), new TestStore("postgresql", true));
    }

    /** An engine configuration on this store with its data in {@code dir}. */
    public EngineConfig config(Path dir, List<String> databases) {
        if (!postgres) {
            return EngineConfig.of(dir);
        }
        String url = TestDatabases.createMigrated();
        databases.add(url);
        return EngineConfig.of(dir).onPostgres(url);
    }

    @Override
    public String toString() {
        return name;
    }
}

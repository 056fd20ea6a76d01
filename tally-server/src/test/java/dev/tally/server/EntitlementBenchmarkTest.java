package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@link EntitlementBenchmark} working on a small load: every check answers allowed, over HTTP too. Timing
 * is not asserted here (the figures come from running the benchmark as a program, see docs/PERFORMANCE.md).
 */
class EntitlementBenchmarkTest {
    @Test
    void theBenchmarkRunsOnASmallLoadAndEveryCheckIsAllowed() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();

        EntitlementBenchmark.Result[] results = EntitlementBenchmark.run(20, 2000, 100,
                new PrintStream(log, true, StandardCharsets.UTF_8));

        assertThat(results).extracting(EntitlementBenchmark.Result::calls).containsExactly(2000, 2000, 100, 100, 100);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("allowed=true", "used=");
    }
}

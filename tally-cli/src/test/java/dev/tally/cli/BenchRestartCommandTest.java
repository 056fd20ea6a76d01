package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code tally bench restart} at a small size: a server process filled, killed with SIGKILL and restarted. */
class BenchRestartCommandTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void timesTheRestartAfterKillNineAndChecksEveryIdIsRemembered() {
        Cli.Run run = Cli.run("bench", "restart", "--events", "20000", "--tail", "2000", "--batch", "500",
                "--checkpoint-interval", "1", "--server-heap", "512m", "--dedup-memory-mb", "1",
                "--data", dir.resolve("data").toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("filled the window with 20,000 ids", "checkpoint taken: chain",
                "restart after kill -9:", "ids remembered after the restart: 22,000 of 22,000", "result: consistent");
        assertThat(dir.resolve("data-server-2.log")).exists();
    }
}

package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code tally bench soak} at a small size: reports every 50k events, then a kill -9 restart of the server process. */
class BenchSoakCommandTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 480, unit = TimeUnit.SECONDS)
    void reportsEveryIntervalAndTimesTheRestartAfterKillNineWithTheSameTotals() {
        Cli.Run run = Cli.run("bench", "soak", "--events", "200000", "--report-every", "50000", "--batch", "500",
                "--concurrency", "2", "--customers", "1000", "--server-heap", "512m", "--dedup-memory-mb", "1",
                "--checkpoint-interval", "1", "--expected-rate", "20000", "--simulated-days", "2",
                "--resend", "200", "--data", dir.resolve("data").toString());

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        List<String> reports = run.out().lines().filter(l -> l.startsWith("events ")).toList();
        assertThat(reports).hasSize(4);
        assertThat(reports.get(0)).startsWith("events 50,000 | rate ");
        assertThat(reports.get(3)).startsWith("events 200,000 | rate ");
        for (String line : reports) {
            assertThat(line).contains("/s (last 50,000)", "heap after GC ", " B/id", "ids in window ", "(memory ",
                    "log local ", " B/event, archived ", "checkpoint ", "server CPU ", " events per CPU-second", "re-sent 200: ", "0 accepted", "load ");
        }
        // every id is in the window (2 simulated days < the 36-day window), split over the tiers with a 1 MB budget
        assertThat(reports.get(3)).containsPattern("ids in window 200,000 \\(memory [0-9,]+, disk [1-9][0-9,]*\\)");
        assertThat(run.out()).contains("accepted 200,000, duplicates 0, rejected 0", "restart after kill -9: ready in ",
                "same totals in ", "over 200,000 events", "result: consistent");
        assertThat(run.out()).containsPattern("ids in window 200,000 \\(before 200,000\\)");
        assertThat(dir.resolve("data-server.log")).exists();
    }
}

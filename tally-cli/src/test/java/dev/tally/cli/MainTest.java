package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path dir;

    @Test
    void helpListsEveryCommand() {
        Cli.Run run = Cli.run("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("serve", "ingest", "bench", "reconcile");
    }

    @Test
    void aBadCommandLineExitsWithUsageStatus() {
        assertThat(Cli.run().exitCode()).isEqualTo(Main.USAGE);
        assertThat(Cli.run("bench").exitCode()).isEqualTo(Main.USAGE);
        Cli.Run both = Cli.run("bench", "ingest", "--url", "http://localhost:1", "--embedded");
        assertThat(both.exitCode()).isEqualTo(Main.USAGE);
        assertThat(both.err()).contains("--url and --embedded exclude each other");
        assertThat(Cli.run("reconcile", "--key", "k", "--from", "yesterday").err()).contains("RFC 3339");
    }

    @Test
    void aClientCommandWithoutAKeySaysWhereItLooked() {
        Cli.Run run = Cli.run(Map.of("TALLY_DATA_DIR", dir.toString()), "reconcile", "--url", "http://127.0.0.1:1");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("tally: no API key").contains("TALLY_API_KEY");
    }

    @Test
    void ingestOfAMissingFileFailsClearly() {
        Cli.Run run = Cli.run("ingest", dir.resolve("nope.jsonl").toString(), "--key", "k", "--url",
                "http://127.0.0.1:1");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("no such file");
    }
}

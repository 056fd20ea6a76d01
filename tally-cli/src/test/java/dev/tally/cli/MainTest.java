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
    void tallyAloneSaysACommandIsMissingAndListsEveryCommand() {
        Cli.Run run = Cli.run();

        assertThat(run.exitCode()).isEqualTo(Main.USAGE);
        assertThat(run.err()).startsWith("tally: missing command");
        assertThat(commandsListed(run.err())).containsExactly("serve", "ingest", "bench", "reconcile", "storage", "keys",
                "test", "export", "help");
    }

    @Test
    void anUnknownCommandSaysUnknownCommandAndListsTheCommands() {
        Cli.Run run = Cli.run("serv");

        assertThat(run.exitCode()).isEqualTo(Main.USAGE);
        assertThat(run.err()).startsWith("tally: unknown command 'serv'").contains("Did you mean: serve");
        assertThat(commandsListed(run.err())).contains("serve", "ingest", "test");

        Cli.Run bench = Cli.run("bench", "nothing");

        assertThat(bench.err()).startsWith("tally bench: unknown command 'nothing'");
        assertThat(commandsListed(bench.err())).containsExactly("ingest", "query", "billing", "parse", "restart", "soak");
    }

    @Test
    void aCommandWithSubcommandsAloneListsThem() {
        Cli.Run keys = Cli.run("keys");

        assertThat(keys.exitCode()).isEqualTo(Main.USAGE);
        assertThat(keys.err()).startsWith("tally keys: missing command");
        assertThat(commandsListed(keys.err())).containsExactly("create", "list", "revoke");
    }

    @Test
    void anUnknownOptionIsNotCalledAnUnknownCommand() {
        Cli.Run run = Cli.run("serve", "--prot");

        assertThat(run.exitCode()).isEqualTo(Main.USAGE);
        assertThat(run.err()).contains("Unknown option: '--prot'").doesNotContain("unknown command");
    }

    @Test
    void theTestCommandIsTheLaunchersAndSaysHowToRunIt() {
        Cli.Run run = Cli.run("test");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("./tally test");
    }

    /** The command names of the "Commands:" section of a usage message. */
    private static java.util.List<String> commandsListed(String usage) {
        int at = usage.indexOf("Commands:");
        assertThat(at).as(usage).isNotNegative();
        return usage.substring(at).lines().skip(1)
                .filter(l -> l.matches("^  [a-z]+( .*)?$"))
                .map(l -> l.trim().split("\\s+")[0])
                .toList();
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

package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small {@code tally bench} runs against the real server, embedded and by URL. */
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void anEmbeddedIngestBenchCountsEveryEventOnceAndFindsEveryDuplicate() {
        Cli.Run run = Cli.run("bench", "ingest", "--embedded", "--events", "20000", "--batch", "500",
                "--duplicates", "0.05", "--concurrency", "2", "--customers", "50", "--no-progress");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        IngestBenchmark.Summary s = run.<BenchIngestCommand>command("bench", "ingest").summary;
        assertThat(s.sent()).isEqualTo(20_000);
        assertThat(s.generatedDuplicates()).isEqualTo(1_000);
        assertThat(s.duplicates()).isEqualTo(1_000);
        assertThat(s.accepted()).isEqualTo(19_000);
        assertThat(s.rejected()).isZero();
        assertThat(s.accepted() + s.duplicates() + s.rejected()).isEqualTo(s.sent());
        assertThat(s.result().latency().count()).isEqualTo(40);
        assertThat(s.result().latency().p50Nanos()).isPositive()
                .isLessThanOrEqualTo(s.result().latency().p99Nanos());
        assertThat(s.eventsPerSecond()).isPositive();
        assertThat(run.out()).contains("events/s", "p50", "p99", "max", "result: consistent");
    }

    @Test
    void withPrepaidCustomersTheIngestBenchMakesThemAndReportsHowTheLiveBalancesKeptUp() {
        Cli.Run run = Cli.run("bench", "ingest", "--embedded", "--events", "5000", "--batch", "500",
                "--duplicates", "0", "--concurrency", "2", "--customers", "20", "--prepaid", "20", "--no-progress");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.<BenchIngestCommand>command("bench", "ingest").summary.accepted()).isEqualTo(5_000);
        assertThat(run.out()).contains("prepaid: 20 customers with a subscription, a wallet and a grant",
                "live balances before the run:", "live balances after the run:", "(0 left)", "result: consistent");
    }

    @Test
    void withADurationMeterEveryEventIsAMarkAndTheIngestBenchStillCountsEachOnce() {
        Cli.Run run = Cli.run("bench", "ingest", "--embedded", "--events", "5000", "--batch", "500",
                "--duplicates", "0.05", "--concurrency", "2", "--customers", "20", "--duration-meter", "--no-progress");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        IngestBenchmark.Summary s = run.<BenchIngestCommand>command("bench", "ingest").summary;
        assertThat(s.accepted()).isEqualTo(4_750);
        assertThat(s.rejected()).isZero();
        assertThat(run.out()).contains("duration meter: bench_sessions", "result: consistent");
    }

    @Test
    void withASchemaEveryBenchEventIsValidatedOnIngestAndPasses() {
        Cli.Run run = Cli.run("bench", "ingest", "--embedded", "--events", "5000", "--batch", "500",
                "--duplicates", "0.02", "--concurrency", "2", "--customers", "20", "--schema", "--no-progress");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        IngestBenchmark.Summary s = run.<BenchIngestCommand>command("bench", "ingest").summary;
        assertThat(s.accepted()).isEqualTo(4_900);
        assertThat(s.rejected()).isZero();
        assertThat(run.out()).contains("schema: every bench.tokens event is validated", "result: consistent");
    }

    @Test
    void anIngestBenchAgainstAUrlUsesTheGivenServerAndKey() {
        try (EmbeddedServer server = new EmbeddedServer(dir.resolve("data"))) {
            for (int round = 0; round < 2; round++) {
                Cli.Run run = Cli.run(Map.of("TALLY_API_KEY", server.key()), "bench", "ingest", "--url", server.url(),
                        "--events", "5000", "--batch", "1000", "--duplicates", "0.1", "--no-progress");

                assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
                IngestBenchmark.Summary s = run.<BenchIngestCommand>command("bench", "ingest").summary;
                assertThat(s.duplicates()).isEqualTo(500);
                assertThat(s.accepted()).as("each run has its own ids").isEqualTo(4_500);
            }
        }
    }

    @Test
    void aQueryBenchReadsBackExactlyTheTokensItSent() {
        Cli.Run run = Cli.run("bench", "query", "--events", "5000", "--batch", "1000", "--queries", "20", "--warmup",
                "5", "--no-progress");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        QueryBenchmark.Summary s = run.<BenchQueryCommand>command("bench", "query").summary;
        assertThat(s.ingest().accepted()).isEqualTo(5_000);
        assertThat(s.latencies()).hasSize(2).allMatch(l -> l.count() == 20);
        assertThat(s.reportedTotals()).allMatch(t -> t.compareTo(s.expectedTotal()) == 0);
        assertThat(s.expectedTotal()).isGreaterThan(BigDecimal.valueOf(5_000));
        assertThat(s.failedQueries()).isZero();
        assertThat(run.out()).contains("window=day", "window=none", "result: consistent");
    }

    @Test
    void aParseBenchReadsTheIngestBodiesAndReportsItsRate() {
        Cli.Run run = Cli.run("bench", "parse", "--events", "5000", "--batch", "1000", "--rounds", "2");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.<BenchParseCommand>command("bench", "parse").bestEventsPerSecond).isPositive();
        assertThat(run.out()).contains("round 1: 5,000 events", "round 2:", "Jackson streaming parse, one thread:");
    }
}

package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Exit status and request of {@code tally reconcile}, against a scripted stand-in server. */
class ReconcileCommandTest {
    private static Cli.Run reconcile(ScriptedHttpServer server, String... extra) {
        String[] args = new String[4 + extra.length];
        args[0] = "reconcile";
        args[1] = "--url";
        args[2] = server.url();
        args[3] = "--key=k";
        System.arraycopy(extra, 0, args, 4, extra.length);
        return Cli.run(args);
    }

    @Test
    void aReportWithoutDifferencesExitsZeroAndIsPrinted() {
        try (ScriptedHttpServer server = new ScriptedHttpServer(
                (n, r) -> new ScriptedHttpServer.Answer(200, "{\"raw_events\":10,\"differences\":[]}"))) {
            Cli.Run run = reconcile(server, "--from", "2026-11-01T00:00:00Z", "--to", "2026-12-01T00:00:00+01:00");

            assertThat(run.exitCode()).isZero();
            assertThat(run.out()).contains("\"raw_events\" : 10").contains("no differences");
            assertThat(server.requests().get(0).uri())
                    .isEqualTo("/v1/reconciliation?from=2026-11-01T00%3A00%3A00Z&to=2026-12-01T00%3A00%3A00%2B01%3A00");
            assertThat(server.requests().get(0).authorization()).isEqualTo("Bearer k");
        }
    }

    @Test
    void aReportWithDifferencesExitsTwo() {
        try (ScriptedHttpServer server = new ScriptedHttpServer((n, r) -> new ScriptedHttpServer.Answer(200,
                "{\"differences\":[{\"meter\":\"tokens\",\"customer\":\"acme\",\"raw\":\"10\",\"aggregate\":\"9\"}]}"))) {
            Cli.Run run = reconcile(server);

            assertThat(run.exitCode()).isEqualTo(ReconcileCommand.DIFFERENCES);
            assertThat(run.out()).contains("acme").contains("1 difference");
            assertThat(server.requests().get(0).uri()).isEqualTo("/v1/reconciliation");
        }
    }

    @Test
    void anErrorOrAnUnexpectedReportExitsOne() {
        try (ScriptedHttpServer server = new ScriptedHttpServer((n, r) -> new ScriptedHttpServer.Answer(500,
                "{\"title\":\"Internal error\",\"status\":500}"))) {
            Cli.Run run = reconcile(server);
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).contains("HTTP 500 Internal error");
        }
        try (ScriptedHttpServer server = new ScriptedHttpServer(
                (n, r) -> new ScriptedHttpServer.Answer(200, "{\"ok\":true}"))) {
            assertThat(reconcile(server).exitCode()).isEqualTo(1);
        }
    }
}

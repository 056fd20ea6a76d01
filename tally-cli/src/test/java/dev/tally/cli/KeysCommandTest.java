package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tally keys} against the real server: create (secret shown once), list, revoke. */
class KeysCommandTest {
    @TempDir
    Path dir;

    private EmbeddedServer server;

    @BeforeEach
    void start() {
        server = new EmbeddedServer(dir.resolve("data"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void createsListsAndRevokesKeys() {
        String url = server.url();
        Cli.Run created = Cli.run("keys", "create", "--url", url, "--key", server.key(), "--name", "loader",
                "--scope", "ingest,read");
        assertThat(created.exitCode()).as(created.err()).isZero();
        String secret = created.out().lines().filter(l -> l.startsWith("key")).findFirst().orElseThrow()
                .split("\\s+")[1];
        String id = created.out().lines().filter(l -> l.startsWith("id")).findFirst().orElseThrow().split("\\s+")[1];
        assertThat(secret).startsWith("tly_");

        Cli.Run listed = Cli.run("keys", "list", "--url", url, "--key", server.key());
        assertThat(listed.out()).contains(id, "loader").doesNotContain(secret);

        assertThat(Cli.run("keys", "list", "--url", url, "--key", secret).exitCode())
                .as("a key without the admin scope cannot list keys").isNotZero();
        assertThat(Cli.run("keys", "revoke", id, "--url", url, "--key", server.key()).exitCode()).isZero();
        assertThat(Cli.run("keys", "list", "--url", url, "--key", server.key()).out()).contains("revoked");
    }
}

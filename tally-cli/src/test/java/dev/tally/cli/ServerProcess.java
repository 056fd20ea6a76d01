package dev.tally.cli;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code tally serve} in its own JVM, with the test's class path, the launcher's JVM options and the shipped
 * logging configuration: output (the server log) goes to a file,
 * the environment has no TALLY_* variable except those the test passes, and extra arguments (e.g.
 * {@code --database-url}) follow {@code --port} and {@code --data}.
 */
final class ServerProcess {
    private final Process process;
    private final Path log;
    private final int port;

    ServerProcess(Path data, Path log, int port) throws IOException {
        this(data, log, port, Map.of(), List.of());
    }

    ServerProcess(Path data, Path log, int port, Map<String, String> env, List<String> extraArgs) throws IOException {
        this.log = log;
        this.port = port;
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m"));
        command.addAll(Launcher.jvmFlags());
        command.add("-Dlogback.configurationFile=logback.xml"); // the shipped configuration, not logback-test.xml
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "dev.tally.cli.Main", "serve", "--port", Integer.toString(port), "--data", data.toString()));
        command.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("TALLY_"));
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        process = pb.start();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    int port() {
        return port;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    void awaitReady(HttpClient http) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("the server exited with " + process.exitValue() + "; log:\n" + log());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri("/health/ready"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        fail("the server was not ready within 60 s; log:\n" + log());
    }

    String awaitKey(Path data) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            Optional<String> key = ApiKeys.fromFile(data.resolve(ApiKeys.KEY_FILE));
            if (key.isPresent()) {
                return key.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no bootstrap-key in " + data + "; log:\n" + log());
    }

    /** SIGTERM and wait: the shutdown hook closes the server (and writes its checkpoint). */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill();
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The last {@code lines} lines of the log (for failure messages). */
    String logTail(int lines) {
        String[] all = log().split("\n", -1);
        return String.join("\n", java.util.Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
    }
}

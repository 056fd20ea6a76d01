package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Five minutes with curl" run as written: its {@code sh} blocks, in order and in one bash,
 * against {@code tally serve} started in its own JVM on a free port with a fresh data directory. The
 * commands run verbatim in a scratch directory laid out as the README assumes ({@code data/} is the
 * server's data directory, {@code ./tally} runs this build's command line, {@code TALLY_URL} names the
 * server), with {@code curl} wrapped to record each answer. Every command must succeed (HTTP 2xx, exit 0)
 * and every {@code # -> ...} comment must match the answer of the last {@code curl} before it: each
 * {@code "key":value} pair it shows must be in that answer.
 */
class ReadmeWalkthroughTest {
    private static final String SECTION = "## Five minutes with curl";
    private static final Pattern BLOCK = Pattern.compile("(?ms)^```sh\\n(.*?)^```");
    private static final Pattern EXPECTATION = Pattern.compile("(?m)#\\s*->\\s*(.+)$");
    private static final Pattern PAIR = Pattern.compile("\"([a-z_]+)\":(\"[^\"]*\"|-?[0-9.]+|true|false|null)");
    private static final Pattern CURL = Pattern.compile("(?m)(^|[\\s($|])curl\\s");

    /** The wrapper every {@code curl} of the README goes through: answers numbered in call order. */
    private static final String PRELUDE = """
            set -euo pipefail
            curl() {
              local n f code
              n=$(( $(cat "$WALK_OUT/count") + 1 ))
              echo "$n" > "$WALK_OUT/count"
              f=$(printf '%s/%03d' "$WALK_OUT" "$n")
              printf '%s\\n' "$*" > "$f.cmd"
              local out="$f.body" args=()
              while [ $# -gt 0 ]; do
                if [ "$1" = "-o" ]; then out="$2"; shift 2; continue; fi
                args+=("$1"); shift
              done
              code=$(command curl -sS --max-time 60 -o "$out" -w '%{http_code}' "${args[@]}") \\
                || { echo "curl failed: $(cat "$f.cmd")" >&2; return 1; }
              echo "$code" > "$f.status"
              if [ "$out" = "$f.body" ]; then cat "$f.body"; echo; else : > "$f.body"; fi
              if [ "$code" -lt 200 ] || [ "$code" -ge 300 ]; then
                echo "HTTP $code from: $(cat "$f.cmd")" >&2; cat "$f.body" >&2; return 1
              fi
            }
            """;

    @TempDir
    Path dir;

    @Test
    void theWalkthroughRunsAsWrittenAndAnswersAsItsCommentsSay() throws Exception {
        String walkthrough = String.join("\n", walkthroughBlocks());
        List<Expectation> expectations = expectations(walkthrough);
        assertThat(expectations).as("the walk-through shows what to expect").hasSizeGreaterThanOrEqualTo(5);

        Path work = Files.createDirectories(dir.resolve("work"));
        Path out = Files.createDirectories(dir.resolve("answers"));
        Files.writeString(out.resolve("count"), "0");
        writeTallyCommand(work.resolve("tally"));
        ServerProcess server = new ServerProcess(work.resolve("data"), dir.resolve("server.log"),
                ServerProcess.freePort());
        try {
            server.awaitReady(HttpClient.newHttpClient());
            server.awaitKey(work.resolve("data"));

            Path script = dir.resolve("walkthrough.sh");
            Files.writeString(script, PRELUDE + "\n" + walkthrough + "\n");
            Bash run = bash(script, work, out, "http://127.0.0.1:" + server.port());

            assertThat(run.exitCode()).as("the walk-through failed:\n%s\nserver log:\n%s", run.output(),
                    server.logTail(40)).isZero();
            int calls = Integer.parseInt(Files.readString(out.resolve("count")).strip());
            assertThat(calls).as("every curl of the README ran once").isEqualTo(countCurls(walkthrough));
            for (int n = 1; n <= calls; n++) {
                String status = Files.readString(answer(out, n, "status")).strip();
                assertThat(status).as("HTTP status of %s", Files.readString(answer(out, n, "cmd")).strip())
                        .startsWith("2");
            }
            for (Expectation e : expectations) {
                String body = Files.readString(answer(out, e.call(), "body"));
                String command = Files.readString(answer(out, e.call(), "cmd")).strip();
                for (String pair : e.pairs()) {
                    assertThat(containsPair(body, pair))
                            .as("the answer of `%s` shows %s, as the README says (# -> %s); it was:%n%s", command,
                                    pair, e.comment(), body)
                            .isTrue();
                }
            }
            assertThat(work.resolve("invoice.pdf")).as("the PDF the walk-through downloads").isNotEmptyFile();
        } finally {
            server.stop();
        }
    }

    @Test
    void theWalkthroughNeverNamesAFixedPortOrDataDirectoryOfItsOwn() throws IOException {
        String walkthrough = String.join("\n", walkthroughBlocks());

        assertThat(walkthrough).as("the server's address comes from $API, which TALLY_URL can set")
                .contains("API=${TALLY_URL:-http://localhost:8080}");
        assertThat(walkthrough.replace("API=${TALLY_URL:-http://localhost:8080}", ""))
                .doesNotContain("localhost:", "127.0.0.1");
    }

    /** The {@code sh} blocks of the walk-through section, in order. */
    static List<String> walkthroughBlocks() throws IOException {
        String readme = Files.readString(Launcher.checkout().resolve("README.md"));
        int start = readme.indexOf(SECTION);
        assertThat(start).as("README has the section '%s'", SECTION).isNotNegative();
        int end = readme.indexOf("\n## ", start + SECTION.length());
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        List<String> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(section);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        assertThat(blocks).as("sh blocks in '%s'", SECTION).isNotEmpty();
        return blocks;
    }

    /** A {@code # -> ...} comment and the (1-based) number of the curl call it describes. */
    record Expectation(int call, String comment, List<String> pairs) {
    }

    static List<Expectation> expectations(String script) {
        List<Expectation> out = new ArrayList<>();
        Matcher m = EXPECTATION.matcher(script);
        while (m.find()) {
            int call = countCurls(script.substring(0, m.start()));
            assertThat(call).as("a '# ->' comment follows a curl command: %s", m.group()).isPositive();
            List<String> pairs = new ArrayList<>();
            Matcher p = PAIR.matcher(m.group(1));
            while (p.find()) {
                if (!p.group(2).contains("...")) { // "id":"sub_..." stands for any id
                    pairs.add(p.group());
                }
            }
            assertThat(pairs).as("'# -> %s' shows at least one \"key\":value", m.group(1)).isNotEmpty();
            out.add(new Expectation(call, m.group(1).strip(), pairs));
        }
        return out;
    }

    /** Calls of curl in a script, leaving out comment lines. */
    static int countCurls(String script) {
        int n = 0;
        for (String line : script.split("\n", -1)) {
            String code = line.strip().startsWith("#") ? "" : line.replaceAll("\\s#.*$", "");
            Matcher m = CURL.matcher(code);
            while (m.find()) {
                n++;
            }
        }
        return n;
    }

    /** Whether compact JSON {@code body} has the pair {@code "key":value} as a whole member. */
    static boolean containsPair(String body, String pair) {
        return Pattern.compile(Pattern.quote(pair) + "(?=[,}\\]])").matcher(body).find();
    }

    private static Path answer(Path out, int n, String kind) {
        return out.resolve(String.format("%03d.%s", n, kind));
    }

    /** {@code ./tally} in the scratch directory: this build's command line, with the launcher's JVM options. */
    private static void writeTallyCommand(Path file) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        StringBuilder sh = new StringBuilder("#!/usr/bin/env bash\nexec ").append(quote(java));
        for (String flag : Launcher.jvmFlags()) {
            sh.append(' ').append(quote(flag));
        }
        sh.append(" -cp ").append(quote(System.getProperty("java.class.path")))
                .append(" -Dlogback.configurationFile=logback.xml dev.tally.cli.Main \"$@\"\n");
        Files.writeString(file, sh.toString());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private record Bash(int exitCode, String output) {
    }

    private static Bash bash(Path script, Path work, Path out, String url) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).directory(work.toFile())
                .redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("TALLY_"));
        pb.environment().put("TALLY_URL", url);
        pb.environment().put("WALK_OUT", out.toString());
        Process p = pb.start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the walk-through did not finish in 5 minutes");
        }
        return new Bash(p.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}

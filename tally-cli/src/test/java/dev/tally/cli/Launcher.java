package dev.tally.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The checkout's {@code ./tally} launcher as the tests see it: its directory and the JVM options it passes. */
final class Launcher {
    private Launcher() {
    }

    /** The root of the checkout (the tests run in the module's directory). */
    static Path checkout() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("tally")) && Files.isRegularFile(p.resolve("bin/jvm-flags.sh"))) {
                return p;
            }
        }
        throw new AssertionError("no checkout with ./tally and bin/jvm-flags.sh above " + here);
    }

    /** The JVM options {@code ./tally} passes on the JDK running the tests ({@code bin/jvm-flags.sh}). */
    static List<String> jvmFlags() {
        try {
            Process p = new ProcessBuilder("bash", "-c", "source bin/jvm-flags.sh && tally_jvm_flags \"$1\"", "flags",
                    Integer.toString(Runtime.version().feature()))
                    .directory(checkout().toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("bin/jvm-flags.sh failed: " + out);
            }
            return out.lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new AssertionError("cannot run bash", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}

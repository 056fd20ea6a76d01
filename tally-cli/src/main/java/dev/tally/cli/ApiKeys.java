package dev.tally.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the API key a client command sends: {@code --key}, else the
 * environment variable {@code TALLY_API_KEY}, else the file
 * {@code ${TALLY_DATA_DIR:-./data}/bootstrap-key} that a server writes on its
 * first start.
 */
final class ApiKeys {
    static final String KEY_FILE = "bootstrap-key";

    private ApiKeys() {
    }

    static String resolve(Optional<String> option, Map<String, String> env) {
        if (option.isPresent() && !option.get().isBlank()) {
            return option.get().trim();
        }
        String fromEnv = env.get("TALLY_API_KEY");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        Path dataDir = Path.of(env.getOrDefault("TALLY_DATA_DIR", "./data"));
        Path file = dataDir.resolve(KEY_FILE);
        return fromFile(file).orElseThrow(() -> new MissingApiKeyException(
                "no API key: pass --key, set TALLY_API_KEY, or run next to the server's data directory ("
                        + file + " does not exist)"));
    }

    /** The key in a server's {@code bootstrap-key} file, if the file exists and is not empty. */
    static Optional<String> fromFile(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            String key = Files.readString(file, StandardCharsets.UTF_8).trim();
            return key.isEmpty() ? Optional.empty() : Optional.of(key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}

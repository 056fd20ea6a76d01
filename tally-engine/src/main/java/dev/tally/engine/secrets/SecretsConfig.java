package dev.tally.engine.secrets;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the secrets key comes from: the key itself ({@code TALLY_SECRETS_KEY}: 32 random bytes in base64), a file
 * holding it ({@code --secrets-key-file} / {@code TALLY_SECRETS_KEY_FILE}), or neither: then the file
 * {@code secrets-key} in the data directory, generated (0600) on first start. At most one of the two is given.
 * Several processes sharing one PostgreSQL must use the same key.
 */
public record SecretsConfig(Optional<String> key, Optional<Path> keyFile) {
    /** The key file in the data directory, generated on first start. */
    public static final SecretsConfig DEFAULT = new SecretsConfig(Optional.empty(), Optional.empty());

    public SecretsConfig {
        Objects.requireNonNull(key);
        Objects.requireNonNull(keyFile);
        if (key.isPresent() && keyFile.isPresent()) {
            throw new IllegalArgumentException("give the secrets key (TALLY_SECRETS_KEY) or a key file, not both");
        }
    }

    public static SecretsConfig ofKey(String base64) {
        return new SecretsConfig(Optional.of(base64), Optional.empty());
    }

    public static SecretsConfig ofFile(Path file) {
        return new SecretsConfig(Optional.empty(), Optional.of(file));
    }

    @Override
    public String toString() {
        // never the key itself
        return key.isPresent() ? "SecretsConfig[key=(given)]" : "SecretsConfig[keyFile=" + keyFile + "]";
    }
}

package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {
    @TempDir
    Path dir;

    @Test
    void theOptionWinsOverTheEnvironmentAndTheFile() throws IOException {
        Files.writeString(dir.resolve("bootstrap-key"), "from-file\n");
        Map<String, String> env = Map.of("TALLY_API_KEY", "from-env", "TALLY_DATA_DIR", dir.toString());

        assertThat(ApiKeys.resolve(Optional.of("from-option"), env)).isEqualTo("from-option");
        assertThat(ApiKeys.resolve(Optional.empty(), env)).isEqualTo("from-env");
        assertThat(ApiKeys.resolve(Optional.empty(), Map.of("TALLY_DATA_DIR", dir.toString())))
                .isEqualTo("from-file");
    }

    @Test
    void noKeyAnywhereIsAClearError() {
        assertThatThrownBy(() -> ApiKeys.resolve(Optional.empty(), Map.of("TALLY_DATA_DIR", dir.toString())))
                .isInstanceOf(MissingApiKeyException.class)
                .hasMessageContaining("--key").hasMessageContaining("TALLY_API_KEY")
                .hasMessageContaining(dir.resolve("bootstrap-key").toString());
    }
}

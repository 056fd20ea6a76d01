package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.export.s3.S3Settings;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The log's archive target from the environment: a directory or an S3-compatible bucket, never both. */
class LogArchiveConfigTest {
    @Test
    void anS3CompatibleBucketWithItsEndpointAndPathStyleComesFromTheEnvironment() {
        S3Settings s = LogArchiveConfig.s3(Map.of("TALLY_ARCHIVE_S3_ENDPOINT", "http://127.0.0.1:9000",
                "TALLY_ARCHIVE_S3_PATH_STYLE", "true", "TALLY_ARCHIVE_S3_PREFIX", "tally/prod",
                "TALLY_ARCHIVE_S3_ACCESS_KEY_ID", "id", "TALLY_ARCHIVE_S3_SECRET_ACCESS_KEY", "secret"), "tally-log");
        assertThat(s.endpoint()).contains(URI.create("http://127.0.0.1:9000"));
        assertThat(s.pathStyle()).isTrue();
        assertThat(s.prefix()).isEqualTo("tally/prod");
        assertThat(s.region()).isEqualTo("us-east-1");
        assertThat(s.accessKeyId()).contains("id");
        assertThat(s.toString()).doesNotContain("secret");
        assertThat(LogArchiveConfig.fromEnvironment(Map.of("TALLY_ARCHIVE_S3_BUCKET", "tally-log",
                "TALLY_ARCHIVE_S3_ENDPOINT", "http://127.0.0.1:9000", "TALLY_LOG_LOCAL_RETENTION_HOURS", "24"))
                .target().orElseThrow().describe()).startsWith("s3://tally-log");
    }

    @Test
    void withoutATargetClosedSegmentsAreOnlyCompressedAndADirectoryAndABucketTogetherAreRefused() {
        assertThat(LogArchiveConfig.fromEnvironment(Map.of()).target()).isEqualTo(Optional.empty());
        assertThat(LogArchiveConfig.fromEnvironment(Map.of()).localRetention()).isEqualTo(Duration.ofDays(7));
        assertThatThrownBy(() -> LogArchiveConfig.fromEnvironment(Map.of("TALLY_ARCHIVE_DIR", "/tmp/x",
                "TALLY_ARCHIVE_S3_BUCKET", "tally-log"))).hasMessageContaining("not both");
    }
}

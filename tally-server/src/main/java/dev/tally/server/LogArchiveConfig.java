package dev.tally.server;

import dev.tally.engine.archive.ArchiveSettings;
import dev.tally.export.s3.S3ObjectStore;
import dev.tally.export.s3.S3Settings;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * The embedded log's retention settings from the environment: {@link ArchiveSettings#fromEnvironment} (compression,
 * local retention, a directory target {@code TALLY_ARCHIVE_DIR}, the interval) plus an S3 or S3-compatible bucket:
 * {@code TALLY_ARCHIVE_S3_BUCKET}, {@code TALLY_ARCHIVE_S3_ENDPOINT} (empty: AWS), {@code TALLY_ARCHIVE_S3_REGION}
 * (us-east-1), {@code TALLY_ARCHIVE_S3_PREFIX}, {@code TALLY_ARCHIVE_S3_PATH_STYLE} (false; true for most
 * S3-compatible servers), {@code TALLY_ARCHIVE_S3_ACCESS_KEY_ID} and {@code TALLY_ARCHIVE_S3_SECRET_ACCESS_KEY} (else
 * the AWS SDK's default credential chain). A directory and a bucket together are refused.
 */
final class LogArchiveConfig {
    private LogArchiveConfig() {
    }

    static ArchiveSettings fromEnvironment(Map<String, String> env) {
        ArchiveSettings settings = ArchiveSettings.fromEnvironment(env);
        Optional<String> bucket = value(env, "TALLY_ARCHIVE_S3_BUCKET");
        if (bucket.isEmpty()) {
            return settings;
        }
        if (settings.target().isPresent()) {
            throw new IllegalArgumentException("set TALLY_ARCHIVE_DIR or TALLY_ARCHIVE_S3_BUCKET, not both");
        }
        return settings.withTarget(new S3ObjectStore(s3(env, bucket.get())));
    }

    static S3Settings s3(Map<String, String> env, String bucket) {
        return new S3Settings(value(env, "TALLY_ARCHIVE_S3_ENDPOINT").map(URI::create),
                value(env, "TALLY_ARCHIVE_S3_REGION").orElse("us-east-1"), bucket,
                value(env, "TALLY_ARCHIVE_S3_PREFIX").orElse(""),
                Boolean.parseBoolean(value(env, "TALLY_ARCHIVE_S3_PATH_STYLE").orElse("false")),
                value(env, "TALLY_ARCHIVE_S3_ACCESS_KEY_ID"), value(env, "TALLY_ARCHIVE_S3_SECRET_ACCESS_KEY"));
    }

    private static Optional<String> value(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
    }
}

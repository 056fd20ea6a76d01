package dev.tally.export.s3;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how to reach a bucket. {@code endpoint} is empty for AWS itself and set for S3-compatible servers
 * (e.g. {@code http://localhost:9000} for MinIO, usually with {@code pathStyle}); {@code prefix} is prepended to
 * every key (empty or ending without a slash); credentials are static when given, else the SDK's default chain.
 * {@link #toString()} never shows the secret.
 */
public record S3Settings(Optional<URI> endpoint, String region, String bucket, String prefix, boolean pathStyle,
        Optional<String> accessKeyId, Optional<String> secretAccessKey) {
    public S3Settings {
        Objects.requireNonNull(endpoint);
        Objects.requireNonNull(accessKeyId);
        Objects.requireNonNull(secretAccessKey);
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("region is required");
        }
        if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("bucket must be a valid S3 bucket name");
        }
        prefix = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
        if (accessKeyId.isPresent() != secretAccessKey.isPresent()) {
            throw new IllegalArgumentException("access key id and secret access key go together");
        }
        endpoint.ifPresent(u -> {
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
                throw new IllegalArgumentException("endpoint must be an http or https URL");
            }
        });
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint.map(URI::toString).orElse("aws") + ", region=" + region + ", bucket="
                + bucket + ", prefix=" + prefix + ", pathStyle=" + pathStyle + ", accessKeyId="
                + accessKeyId.orElse("(default chain)") + "]";
    }
}

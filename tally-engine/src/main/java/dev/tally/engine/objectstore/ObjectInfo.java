package dev.tally.engine.objectstore;

import java.util.Objects;

/** A stored object: its key, its size in bytes and the lowercase hex SHA-256 of its bytes. */
public record ObjectInfo(String key, long size, String sha256) {
    public ObjectInfo {
        ObjectStore.checkKey(key);
        Objects.requireNonNull(sha256);
        if (size < 0 || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("size must be >= 0 and sha256 64 hex digits");
        }
    }
}

package dev.tally.engine.objectstore;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A flat namespace of immutable-by-convention objects addressed by key ({@code a/b/c.parquet}: segments of letters,
 * digits and {@code . _ = -}). Guarantees of every implementation: {@link #put} is atomic and verified (the stored
 * bytes' SHA-256 equals the source's, or the put fails and nothing new is visible under the key); {@link #get}
 * verifies the SHA-256 recorded at put time and throws {@link ChecksumMismatchException} on a difference; a put of
 * the same bytes to the same key is a no-op in effect (idempotent re-runs).
 */
public interface ObjectStore {
    /** Stores the file's bytes under {@code key}, replacing any object there, atomically. */
    ObjectInfo put(String key, Path source);

    /** Copies the object to {@code target} (replacing it) after verifying its checksum; empty when there is none. */
    Optional<ObjectInfo> get(String key, Path target);

    /** The object's size and checksum without reading it; empty when there is none. */
    Optional<ObjectInfo> head(String key);

    /** The objects whose key starts with {@code prefix}, by key. */
    List<ObjectInfo> list(String prefix);

    /** Deletes the object; deleting a missing key does nothing. */
    void delete(String key);

    /** Where objects go, for logs and manifests ({@code file:/...} or {@code s3://bucket/prefix}). */
    String describe();

    /** Refuses keys that could escape the store or differ between stores. */
    static String checkKey(String key) {
        if (key == null || key.isEmpty() || key.length() > 900 || key.startsWith("/") || key.endsWith("/")) {
            throw new IllegalArgumentException("invalid object key");
        }
        for (String seg : key.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..") || !seg.matches("[A-Za-z0-9._=-]+")) {
                throw new IllegalArgumentException("invalid object key segment '" + seg + "'");
            }
        }
        return key;
    }
}

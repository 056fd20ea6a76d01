/**
 * Object storage for exports and archives: an {@link dev.tally.engine.objectstore.ObjectStore} puts, gets, lists
 * and deletes whole objects by key, each put atomic (a reader sees the old object, or the complete new one, never a
 * part) and each object's SHA-256 recorded and verified on get. {@link dev.tally.engine.objectstore.DirectoryObjectStore}
 * keeps objects as files under one directory (temp file, fsync, rename); an S3-compatible implementation lives in
 * tally-export so the engine carries no AWS dependency.
 */
package dev.tally.engine.objectstore;

/**
 * An {@link dev.tally.engine.objectstore.ObjectStore} on any S3-compatible service (AWS S3, MinIO, Ceph, R2...)
 * through the AWS SDK for Java v2: endpoint, region, path-style addressing and static credentials are configurable;
 * each put is one PutObject of the complete file with its SHA-256 checksum, which the service verifies before the
 * object becomes visible.
 */
package dev.tally.export.s3;

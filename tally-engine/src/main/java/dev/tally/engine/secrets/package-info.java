/**
 * Secrets at rest: the data directory and every file in it private to the server's user ({@link PrivateFiles}:
 * directories 0700, files 0600, existing ones tightened at start), and authenticated encryption of the secrets
 * the database must keep readable (webhook signing secrets, the server's own keys) under a key from
 * configuration or a generated key file ({@link SecretsConfig}, {@link SecretBox}). See docs/ARCHITECTURE.md,
 * "Secrets at rest".
 */
package dev.tally.engine.secrets;

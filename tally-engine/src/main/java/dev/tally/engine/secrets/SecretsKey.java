package dev.tally.engine.secrets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secrets key of a process, as {@link SecretsConfig} says: given, read from a file, or the data directory's
 * {@code secrets-key} file (generated when there is none: {@link #persist} writes it, 0600, once the database
 * has accepted the key, so a mismatched fresh key never replaces a lost one on disk).
 */
public final class SecretsKey {
    private static final Logger LOG = LoggerFactory.getLogger(SecretsKey.class);
    /** The generated key's file in the data directory. */
    public static final String FILE = "secrets-key";

    private final SecretBox box;
    private final String source;
    private final Optional<Path> toWrite;
    private final byte[] generated;

    private SecretsKey(SecretBox box, String source, Optional<Path> toWrite, byte[] generated) {
        this.box = box;
        this.source = source;
        this.toWrite = toWrite;
        this.generated = generated;
    }

    /** Resolves the key; a given key or key file that is missing or not 32 bytes of base64 is an error here. */
    public static SecretsKey resolve(SecretsConfig config, Path dataDir) throws IOException {
        if (config.key().isPresent()) {
            return new SecretsKey(new SecretBox(parse(config.key().get(), "TALLY_SECRETS_KEY")), "TALLY_SECRETS_KEY",
                    Optional.empty(), null);
        }
        if (config.keyFile().isPresent()) {
            Path file = config.keyFile().get();
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("the secrets key file " + file + " does not exist");
            }
            warnIfShared(file);
            return new SecretsKey(new SecretBox(parse(Files.readString(file, StandardCharsets.UTF_8), file.toString())),
                    file.toString(), Optional.empty(), null);
        }
        Path file = dataDir.resolve(FILE);
        if (Files.isRegularFile(file)) {
            return new SecretsKey(new SecretBox(parse(Files.readString(file, StandardCharsets.UTF_8), file.toString())),
                    file.toString(), Optional.empty(), null);
        }
        byte[] key = new byte[SecretBox.KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return new SecretsKey(new SecretBox(key), file + " (generated now)", Optional.of(file), key);
    }

    public SecretBox box() {
        return box;
    }

    /** Where the key came from, for messages (never the key). */
    public String source() {
        return source;
    }

    /** Writes a generated key to its file (0600, fsynced); does nothing for a given or existing key. */
    public void persist() throws IOException {
        if (toWrite.isEmpty()) {
            return;
        }
        Path file = toWrite.get();
        Path tmp = file.resolveSibling(FILE + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = PrivateFiles.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap((Base64.getEncoder().encodeToString(generated) + "\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        LOG.warn("generated the secrets key in {} (0600): it encrypts the webhook secrets and the server's keys in "
                + "the database. Back it up apart from the database; processes sharing one PostgreSQL need the same "
                + "key (TALLY_SECRETS_KEY or --secrets-key-file)", file.toAbsolutePath());
    }

    static byte[] parse(String text, String where) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            key = new byte[0];
        }
        if (key.length != SecretBox.KEY_BYTES) {
            throw new IllegalArgumentException(where + " must hold " + SecretBox.KEY_BYTES
                    + " random bytes in base64, e.g. the output of `openssl rand -base64 32`");
        }
        return key;
    }

    private static void warnIfShared(Path file) {
        try {
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
                if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                    LOG.warn("the secrets key file {} is readable by other users; make it 0600", file);
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot read the mode of {}", file, e);
        }
    }
}

package dev.tally.engine.secrets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticated encryption of stored secrets: AES-256-GCM (the JDK's {@code javax.crypto}) under a key derived
 * from the 32-byte secrets key, a random 96-bit nonce per value, and the record the value belongs to as
 * associated data (so a sealed value copied to another record does not open there). Sealed bytes are
 * {@code "TSB1" || nonce || ciphertext || tag}; sealed text is {@code tsb1:} + their base64. Thread-safe.
 */
public final class SecretBox {
    public static final int KEY_BYTES = 32;
    static final byte[] MAGIC = {'T', 'S', 'B', '1'};
    static final String TEXT_PREFIX = "tsb1:";
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec aes;
    private final String check;
    private final SecureRandom random = new SecureRandom();

    public SecretBox(byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("the secrets key must be " + KEY_BYTES + " bytes");
        }
        this.aes = new SecretKeySpec(hmac(key, "tally/secrets/aes-256-gcm/v1"), "AES");
        this.check = Base64.getEncoder().encodeToString(hmac(key, "tally/secrets/key-check/v1"));
    }

    /**
     * A value that identifies the key without revealing it (an HMAC of a fixed label under it): stored in the
     * database, so a process started with another key refuses to start instead of failing later.
     */
    public String checkValue() {
        return check;
    }

    public byte[] seal(byte[] plain, String record) {
        byte[] nonce = new byte[NONCE];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, aes, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(record.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(plain);
            return ByteBuffer.allocate(MAGIC.length + NONCE + sealed.length).put(MAGIC).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    public byte[] open(byte[] sealed, String record) {
        if (!isSealed(sealed)) {
            throw new SecretDecryptionException("the stored value of " + record + " is not sealed");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, aes, new GCMParameterSpec(TAG_BITS, sealed, MAGIC.length, NONCE));
            c.updateAAD(record.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(sealed, MAGIC.length + NONCE, sealed.length - MAGIC.length - NONCE);
        } catch (AEADBadTagException e) {
            throw new SecretDecryptionException("the stored value of " + record
                    + " does not open with this secrets key (another key, another record, or altered)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** Whether bytes are in the sealed format (as opposed to a value stored in clear by an older version). */
    public static boolean isSealed(byte[] value) {
        return value.length >= MAGIC.length + NONCE + TAG_BITS / 8
                && Arrays.equals(value, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    public String sealText(String plain, String record) {
        return TEXT_PREFIX + Base64.getEncoder().encodeToString(seal(plain.getBytes(StandardCharsets.UTF_8), record));
    }

    public String openText(String sealed, String record) {
        if (!isSealedText(sealed)) {
            throw new SecretDecryptionException("the stored value of " + record + " is not sealed");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(sealed.substring(TEXT_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new SecretDecryptionException("the stored value of " + record + " is damaged");
        }
        return new String(open(bytes, record), StandardCharsets.UTF_8);
    }

    public static boolean isSealedText(String value) {
        return value.startsWith(TEXT_PREFIX);
    }

    /** HMAC-SHA256 of a label under a key (a key derivation step). */
    static byte[] hmac(byte[] key, String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

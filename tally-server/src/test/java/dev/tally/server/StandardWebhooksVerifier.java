package dev.tally.server;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A receiver's verification of a Standard Webhooks request, written from the specification and independent
 * of the server's signing code: the secret is "whsec_" + base64 key; the signed content is
 * "{webhook-id}.{webhook-timestamp}.{body}"; webhook-signature holds space-delimited "v1,{base64 HMAC-SHA256}"
 * entries, any of which may match (compared in constant time); the timestamp must be within 5 minutes of now.
 */
final class StandardWebhooksVerifier {
    static final Duration TOLERANCE = Duration.ofMinutes(5);

    /** Why a request did not verify. */
    static final class VerificationFailed extends RuntimeException {
        VerificationFailed(String message) {
            super(message);
        }
    }

    private final byte[] key;

    StandardWebhooksVerifier(String secret) {
        if (!secret.startsWith("whsec_")) {
            throw new IllegalArgumentException("a Standard Webhooks secret starts with whsec_");
        }
        this.key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
    }

    /** Verifies headers (names in lower case) and the raw body as received at {@code now}; throws when it fails. */
    void verify(Map<String, String> headers, byte[] body, Instant now) {
        String id = required(headers, "webhook-id");
        String timestamp = required(headers, "webhook-timestamp");
        String signatures = required(headers, "webhook-signature");
        long seconds;
        try {
            seconds = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            throw new VerificationFailed("webhook-timestamp is not an integer: " + timestamp);
        }
        Instant sent = Instant.ofEpochSecond(seconds);
        if (sent.isBefore(now.minus(TOLERANCE)) || sent.isAfter(now.plus(TOLERANCE))) {
            throw new VerificationFailed("webhook-timestamp " + sent + " is too far from now " + now);
        }
        byte[] expected = hmac((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), body);
        for (String entry : signatures.split(" ")) {
            int comma = entry.indexOf(',');
            if (comma < 0 || !entry.substring(0, comma).equals("v1")) {
                continue;
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(entry.substring(comma + 1));
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (MessageDigest.isEqual(expected, given)) {
                return;
            }
        }
        throw new VerificationFailed("no v1 signature in '" + signatures + "' matches");
    }

    boolean verifies(Map<String, String> headers, byte[] body, Instant now) {
        try {
            verify(headers, body, now);
            return true;
        } catch (VerificationFailed e) {
            return false;
        }
    }

    private byte[] hmac(byte[] prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(prefix);
            mac.update(body);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String required(Map<String, String> headers, String name) {
        String v = headers.get(name);
        if (v == null || v.isEmpty()) {
            throw new VerificationFailed("missing header " + name);
        }
        return v;
    }
}

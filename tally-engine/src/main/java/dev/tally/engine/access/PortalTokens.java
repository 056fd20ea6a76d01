package dev.tally.engine.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.event.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Customer-portal tokens: {@code tlyp_<payload>.<signature>}, the payload (tenant, customer, expiry) in
 * base64url JSON, signed with HMAC-SHA256 under a secret every process on the store shares. Short-lived
 * (minutes to hours), read-only, and good for exactly one customer of one tenant.
 */
public final class PortalTokens {
    public static final String PREFIX = "tlyp_";
    private final byte[] secret;
    private final ObjectMapper mapper = Json.newMapper();

    public PortalTokens(byte[] secret) {
        this.secret = secret.clone();
    }

    /** A portal token's claims. */
    public record Claims(String tenant, String customer, Instant expiresAt) {
    }

    public String issue(Claims claims) {
        ObjectNode p = mapper.createObjectNode().put("t", claims.tenant()).put("c", claims.customer())
                .put("exp", claims.expiresAt().getEpochSecond());
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(p.toString().getBytes(StandardCharsets.UTF_8));
        return PREFIX + payload + "." + sign(payload);
    }

    /** The claims of a token this server issued that has not expired at {@code now}. */
    public Optional<Claims> verify(String token, Instant now) {
        if (!token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String body = token.substring(PREFIX.length());
        int dot = body.lastIndexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        String payload = body.substring(0, dot);
        if (!MessageDigest.isEqual(sign(payload).getBytes(StandardCharsets.UTF_8),
                body.substring(dot + 1).getBytes(StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        try {
            JsonNode p = mapper.readTree(Base64.getUrlDecoder().decode(payload));
            Instant exp = Instant.ofEpochSecond(p.get("exp").asLong());
            if (!now.isBefore(exp)) {
                return Optional.empty();
            }
            return Optional.of(new Claims(p.get("t").asText(), p.get("c").asText(), exp));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private String sign(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

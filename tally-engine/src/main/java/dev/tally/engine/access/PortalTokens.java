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
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Customer-portal tokens: {@code tlyp_<payload>.<signature>}, the payload (tenant, customer, the customer's token
 * generation, expiry) in base64url JSON, signed with HMAC-SHA256 under the tenant's own key, derived from a master
 * secret every process on the store shares: key(tenant) = HMAC-SHA256(master, "tally/portal-token/v1\0" + tenant).
 * A token signed for one tenant never verifies as another's, even for a customer with the same id. Short-lived
 * (minutes to hours), read-only, good for exactly one customer of one tenant, and revoked with every other
 * token of its customer when the customer's generation moves past it ({@link AccessControl#revokePortalTokens}).
 */
public final class PortalTokens {
    public static final String PREFIX = "tlyp_";
    private static final String LABEL = "tally/portal-token/v1\0";
    private final byte[] master;
    private final ObjectMapper mapper = Json.newMapper();

    public PortalTokens(byte[] master) {
        this.master = master.clone();
    }

    /** A portal token's claims; {@code generation} is the customer's token generation when it was issued. */
    public record Claims(String tenant, String customer, long generation, Instant expiresAt) {
        public Claims {
            Objects.requireNonNull(tenant);
            Objects.requireNonNull(customer);
            Objects.requireNonNull(expiresAt);
            if (generation < 0) {
                throw new IllegalArgumentException("a token generation is not negative");
            }
        }
    }

    public String issue(Claims claims) {
        ObjectNode p = mapper.createObjectNode().put("t", claims.tenant()).put("c", claims.customer())
                .put("g", claims.generation()).put("exp", claims.expiresAt().getEpochSecond());
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(p.toString().getBytes(StandardCharsets.UTF_8));
        return PREFIX + payload + "." + sign(claims.tenant(), payload);
    }

    /**
     * The claims of a token this server issued, signed with its tenant's key, that has not expired at {@code now}
     * (whether its generation is still current is the caller's check).
     */
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
        try {
            // the payload names the tenant whose key must have signed it; nothing else is trusted before the check
            JsonNode p = mapper.readTree(Base64.getUrlDecoder().decode(payload));
            JsonNode tenant = p.get("t");
            if (tenant == null || !tenant.isTextual() || !MessageDigest.isEqual(
                    sign(tenant.asText(), payload).getBytes(StandardCharsets.UTF_8),
                    body.substring(dot + 1).getBytes(StandardCharsets.UTF_8))) {
                return Optional.empty();
            }
            Instant exp = Instant.ofEpochSecond(p.get("exp").asLong());
            if (!now.isBefore(exp)) {
                return Optional.empty();
            }
            return Optional.of(new Claims(tenant.asText(), p.get("c").asText(), p.path("g").asLong(0), exp));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The tenant's signing key. */
    byte[] tenantKey(String tenant) {
        return hmac(master, (LABEL + tenant).getBytes(StandardCharsets.UTF_8));
    }

    private String sign(String tenant, String payload) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(hmac(tenantKey(tenant), payload.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

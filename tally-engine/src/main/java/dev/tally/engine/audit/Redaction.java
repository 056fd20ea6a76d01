package dev.tally.engine.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Removes secrets from a document before it is diffed and stored: the value of any member whose name says it is a
 * secret (contains secret, token, password, credential, api_key or apikey), and any string holding a credential of a
 * known shape wherever it appears (a Tally API key {@code tly_…_…}, a portal token {@code tlyp_…}, a webhook secret
 * {@code whsec_…}, a Stripe secret or restricted key {@code sk_…}/{@code rk_…}), become {@value #REDACTED}.
 */
final class Redaction {
    static final String REDACTED = "[redacted]";
    private static final Pattern SECRET_NAME = Pattern.compile("secret|token|password|credential|api_?key|private_key");
    private static final Pattern SECRET_VALUE = Pattern.compile(
            "tly_[A-Za-z0-9]+_[A-Za-z0-9]+|tlyp_[A-Za-z0-9._-]+|whsec_[A-Za-z0-9+/=]+|\\b[sr]k_(live|test)_[A-Za-z0-9]+");

    private Redaction() {
    }

    static JsonNode redact(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return node;
        }
        if (node.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (secretName(e.getKey()) && !e.getValue().isNull() && !e.getValue().isBoolean()) {
                    out.put(e.getKey(), REDACTED);
                } else {
                    out.set(e.getKey(), redact(e.getValue()));
                }
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            node.forEach(v -> out.add(redact(v)));
            return out;
        }
        if (node.isTextual() && SECRET_VALUE.matcher(node.asText()).find()) {
            return JsonNodeFactory.instance.textNode(SECRET_VALUE.matcher(node.asText()).replaceAll(REDACTED));
        }
        return node;
    }

    static boolean secretName(String name) {
        return SECRET_NAME.matcher(name.toLowerCase(Locale.ROOT)).find();
    }

    /** Whether a text holds a credential of a known shape (for tests and for redacting ids). */
    static String redactText(String text) {
        return SECRET_VALUE.matcher(text).replaceAll(REDACTED);
    }
}

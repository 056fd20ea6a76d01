package dev.tally.engine.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A conservative shortcut in front of the validator for the schemas most event types have: it can only say that an
 * event's data <em>certainly passes</em> the schema, or that it cannot tell; it never rejects. Ingest asks it first
 * and runs the validator (networknt) only when it cannot tell, so every rejection and its reason still come from the
 * validator, and a passing event of a simple schema costs neither the Jackson 2 → 3 tree copy nor the validator's
 * evaluation.
 *
 * <p>It exists only for a schema made of nothing but: {@code type} (a name or a list of names), {@code properties},
 * {@code required}, {@code additionalProperties} (a boolean or such a schema), {@code items} (such a schema),
 * {@code enum}, {@code const}, {@code minimum}, {@code maximum}, {@code exclusiveMinimum}, {@code exclusiveMaximum}
 * (all four with integer bounds), {@code minLength}, {@code maxLength}, {@code minItems}, {@code maxItems},
 * {@code minProperties}, {@code maxProperties} and the annotations {@code $schema}, {@code $id}, {@code $comment},
 * {@code title}, {@code description}, {@code default}, {@code examples}, {@code deprecated}, {@code readOnly},
 * {@code writeOnly}, at any depth, or the boolean schema {@code true}. Any other keyword anywhere ({@code $ref},
 * {@code pattern}, {@code format}, {@code allOf}, {@code unevaluatedProperties}, ...) and there is no shortcut: the
 * validator sees every event. Within the subset it answers "passes" only where the answer is plain: a decimal data
 * number against {@code type: integer}, a bound or a string with characters outside the basic plane, an
 * {@code enum} without an identical member, and it says "cannot tell". Immutable; thread-safe.
 */
final class PassCheck {
    private static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "$comment", "title", "description",
            "default", "examples", "deprecated", "readOnly", "writeOnly");
    private static final Set<String> TYPES = Set.of("object", "array", "string", "integer", "number", "boolean",
            "null");

    /** One compiled (sub)schema; {@code null} fields are keywords the schema does not have. */
    private static final class Node {
        Set<String> types;
        Map<String, Node> properties = Map.of();
        List<String> required = List.of();
        /** {@code null}: any additional property; {@link #NONE}: none allowed; else their schema. */
        Node additional;
        Node items;
        List<JsonNode> enumeration;
        JsonNode constant;
        BigInteger minimum;
        BigInteger maximum;
        BigInteger exclusiveMinimum;
        BigInteger exclusiveMaximum;
        long minLength = -1;
        long maxLength = -1;
        long minItems = -1;
        long maxItems = -1;
        long minProperties = -1;
        long maxProperties = -1;
    }

    private static final Node ANY = new Node();
    private static final Node NONE = new Node();

    private final Node root;

    private PassCheck(Node root) {
        this.root = root;
    }

    /** The shortcut for {@code schema}, or empty when it uses anything outside the subset. */
    static Optional<PassCheck> of(JsonNode schema) {
        return Optional.ofNullable(compile(schema, 0)).map(PassCheck::new);
    }

    /** Whether {@code data} certainly passes the schema; {@code false} means "ask the validator". */
    boolean passes(JsonNode data) {
        return passes(root, data);
    }

    private static Node compile(JsonNode s, int depth) {
        if (depth > 32) {
            return null;
        }
        if (s.isBoolean()) {
            return s.booleanValue() ? ANY : null; // false: nothing passes, the validator says why
        }
        if (!s.isObject()) {
            return null;
        }
        Node n = new Node();
        Iterator<Map.Entry<String, JsonNode>> fields = s.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode v = f.getValue();
            switch (f.getKey()) {
                case "type" -> {
                    n.types = new HashSet<>();
                    if (v.isTextual()) {
                        n.types.add(v.textValue());
                    } else if (v.isArray()) {
                        for (JsonNode t : v) {
                            if (!t.isTextual()) {
                                return null;
                            }
                            n.types.add(t.textValue());
                        }
                    } else {
                        return null;
                    }
                    if (!TYPES.containsAll(n.types)) {
                        return null;
                    }
                }
                case "properties" -> {
                    if (!v.isObject()) {
                        return null;
                    }
                    Map<String, Node> props = new HashMap<>();
                    Iterator<Map.Entry<String, JsonNode>> ps = v.fields();
                    while (ps.hasNext()) {
                        Map.Entry<String, JsonNode> p = ps.next();
                        Node sub = compile(p.getValue(), depth + 1);
                        if (sub == null) {
                            return null;
                        }
                        props.put(p.getKey(), sub);
                    }
                    n.properties = Map.copyOf(props);
                }
                case "required" -> {
                    if (!v.isArray()) {
                        return null;
                    }
                    List<String> req = new ArrayList<>();
                    for (JsonNode r : v) {
                        if (!r.isTextual()) {
                            return null;
                        }
                        req.add(r.textValue());
                    }
                    n.required = List.copyOf(req);
                }
                case "additionalProperties" -> {
                    if (v.isBoolean()) {
                        n.additional = v.booleanValue() ? null : NONE;
                    } else {
                        n.additional = compile(v, depth + 1);
                        if (n.additional == null) {
                            return null;
                        }
                    }
                }
                case "items" -> {
                    n.items = compile(v, depth + 1);
                    if (n.items == null) {
                        return null;
                    }
                }
                case "enum" -> {
                    if (!v.isArray()) {
                        return null;
                    }
                    List<JsonNode> values = new ArrayList<>();
                    v.forEach(values::add);
                    n.enumeration = List.copyOf(values);
                }
                case "const" -> n.constant = v;
                case "minimum" -> n.minimum = integer(v);
                case "maximum" -> n.maximum = integer(v);
                case "exclusiveMinimum" -> n.exclusiveMinimum = integer(v);
                case "exclusiveMaximum" -> n.exclusiveMaximum = integer(v);
                case "minLength" -> n.minLength = count(v);
                case "maxLength" -> n.maxLength = count(v);
                case "minItems" -> n.minItems = count(v);
                case "maxItems" -> n.maxItems = count(v);
                case "minProperties" -> n.minProperties = count(v);
                case "maxProperties" -> n.maxProperties = count(v);
                default -> {
                    if (!ANNOTATIONS.contains(f.getKey())) {
                        return null;
                    }
                }
            }
            if (f.getKey().startsWith("min") || f.getKey().startsWith("max") || f.getKey().startsWith("exclusive")) {
                if (unset(n, f.getKey())) {
                    return null; // a bound that is not a plain integer: no shortcut
                }
            }
        }
        return n;
    }

    private static boolean unset(Node n, String keyword) {
        return switch (keyword) {
            case "minimum" -> n.minimum == null;
            case "maximum" -> n.maximum == null;
            case "exclusiveMinimum" -> n.exclusiveMinimum == null;
            case "exclusiveMaximum" -> n.exclusiveMaximum == null;
            case "minLength" -> n.minLength < 0;
            case "maxLength" -> n.maxLength < 0;
            case "minItems" -> n.minItems < 0;
            case "maxItems" -> n.maxItems < 0;
            case "minProperties" -> n.minProperties < 0;
            case "maxProperties" -> n.maxProperties < 0;
            default -> false;
        };
    }

    private static BigInteger integer(JsonNode v) {
        return v.isIntegralNumber() ? v.bigIntegerValue() : null;
    }

    private static long count(JsonNode v) {
        return v.isIntegralNumber() && v.canConvertToLong() && v.longValue() >= 0 ? v.longValue() : -1;
    }

    private static boolean passes(Node n, JsonNode d) {
        if (n == ANY) {
            return true;
        }
        if (n == NONE) {
            return false;
        }
        if (n.types != null && !hasType(n.types, d)) {
            return false;
        }
        if (n.constant != null || n.enumeration != null) {
            // equality of decimals, objects and arrays is left to the validator
            boolean plain = d.isTextual() || d.isBoolean() || d.isNull() || d.isIntegralNumber();
            if (!plain || (n.constant != null && !n.constant.equals(d))
                    || (n.enumeration != null && !n.enumeration.contains(d))) {
                return false;
            }
        }
        if (d.isNumber() && !numberPasses(n, d)) {
            return false;
        }
        if (d.isTextual() && (n.minLength >= 0 || n.maxLength >= 0)) {
            String s = d.textValue();
            for (int i = 0; i < s.length(); i++) {
                if (Character.isSurrogate(s.charAt(i))) {
                    return false; // code points, not chars: let the validator count
                }
            }
            if ((n.minLength >= 0 && s.length() < n.minLength) || (n.maxLength >= 0 && s.length() > n.maxLength)) {
                return false;
            }
        }
        if (d.isArray()) {
            if ((n.minItems >= 0 && d.size() < n.minItems) || (n.maxItems >= 0 && d.size() > n.maxItems)) {
                return false;
            }
            if (n.items != null) {
                for (JsonNode item : d) {
                    if (!passes(n.items, item)) {
                        return false;
                    }
                }
            }
        }
        if (d.isObject()) {
            if ((n.minProperties >= 0 && d.size() < n.minProperties)
                    || (n.maxProperties >= 0 && d.size() > n.maxProperties)) {
                return false;
            }
            for (int i = 0; i < n.required.size(); i++) {
                if (!d.has(n.required.get(i))) {
                    return false;
                }
            }
            Iterator<Map.Entry<String, JsonNode>> fields = d.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                Node sub = n.properties.get(f.getKey());
                if (sub == null) {
                    sub = n.additional;
                    if (sub == null) {
                        continue;
                    }
                }
                if (!passes(sub, f.getValue())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean hasType(Set<String> types, JsonNode d) {
        return switch (d.getNodeType()) {
            case OBJECT -> types.contains("object");
            case ARRAY -> types.contains("array");
            case STRING -> types.contains("string");
            case BOOLEAN -> types.contains("boolean");
            case NULL -> types.contains("null");
            // a decimal such as 1.0 may or may not count as an integer: only integral nodes pass "integer" here
            case NUMBER -> types.contains("number") || (types.contains("integer") && d.isIntegralNumber());
            default -> false;
        };
    }

    private static boolean numberPasses(Node n, JsonNode d) {
        if (n.minimum == null && n.maximum == null && n.exclusiveMinimum == null && n.exclusiveMaximum == null) {
            return true;
        }
        if (!d.isIntegralNumber()) {
            return false; // a decimal against an integer bound: the validator compares exactly
        }
        if (d.canConvertToLong()) {
            long x = d.longValue();
            return atLeast(x, n.minimum, 0) && atMost(x, n.maximum, 0) && atLeast(x, n.exclusiveMinimum, 1)
                    && atMost(x, n.exclusiveMaximum, 1);
        }
        BigInteger x = d.bigIntegerValue();
        return (n.minimum == null || x.compareTo(n.minimum) >= 0) && (n.maximum == null || x.compareTo(n.maximum) <= 0)
                && (n.exclusiveMinimum == null || x.compareTo(n.exclusiveMinimum) > 0)
                && (n.exclusiveMaximum == null || x.compareTo(n.exclusiveMaximum) < 0);
    }

    /** {@code x >= bound + strict} (no bound: true). */
    private static boolean atLeast(long x, BigInteger bound, int strict) {
        if (bound == null) {
            return true;
        }
        if (bound.bitLength() >= 63) {
            return bound.signum() < 0; // a bound beyond long: every long is above a huge negative one
        }
        long b = bound.longValue();
        return strict == 0 ? x >= b : x > b;
    }

    /** {@code x <= bound - strict} (no bound: true). */
    private static boolean atMost(long x, BigInteger bound, int strict) {
        if (bound == null) {
            return true;
        }
        if (bound.bitLength() >= 63) {
            return bound.signum() > 0;
        }
        long b = bound.longValue();
        return strict == 0 ? x <= b : x < b;
    }
}
